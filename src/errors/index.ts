export { OrderkitError, orderkitError, isOrderkitError } from './orderkit-error.js';
export type { LocalizedText, IssuePath, OrderkitIssue, OrderkitErrorInit, OrderkitErrorJSON } from './orderkit-error.js';
export { failure } from './result.js';
export type { Result } from './result.js';
export { issuesFromZod, errorFromZod } from './zod-issues.js';
