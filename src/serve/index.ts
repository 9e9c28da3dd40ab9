export type { BatchInfo } from './batch-loop.js';
export type { ServeMetrics } from './metrics.js';
export type { ServeOptions, StartedInfo } from './serve.js';
export { serve } from './serve.js';
