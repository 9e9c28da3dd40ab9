export type { DetectorCatalogueEntry, HttpDeps, HttpServer, ReadinessCheck } from './server.js';
export { buildHttpServer, detectorCatalogue } from './server.js';
