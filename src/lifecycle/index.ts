export { defaultPolicy, definePolicy } from './policy.js';
export type { Policy } from './policy.js';
export type { TransitionContext, TransitionResult, TransitionSuccess, TransitionFailure, TransitionFn } from './types.js';
export { nextDueAt, dueCommandType } from './due.js';
