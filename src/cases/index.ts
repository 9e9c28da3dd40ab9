export type { CaseInput, DetectorCase, ExpectedAlert } from './case-file.js';
export { casesDir, loadCases } from './case-file.js';
export { CaseFileError } from './errors.js';
export { formatCaseResults } from './format.js';
export { type CaseResult, runCase, runDetectorCases } from './run-cases.js';
