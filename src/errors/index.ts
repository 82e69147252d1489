export { OrderkitError, orderkitError, isOrderkitError } from './orderkit-error.js';
export type { LocalizedText, IssuePath, OrderkitIssue, OrderkitErrorInit, OrderkitErrorJSON } from './orderkit-error.js';
export { ok, fail } from './result.js';
export type { Result, Success, Failure } from './result.js';
export { errorFromZod } from './zod-issues.js';
