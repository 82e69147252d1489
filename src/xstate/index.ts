/**
 * wx-orderkit/xstate: a lifecycle as an xstate v5 machine (a view of the same chart, for the
 * Stately editor, the inspector and tests). Needs the optional peer dependency `xstate`.
 */
export { orderMachine, toMachineEvent, toXstateMachine } from './machine.js';
export type { OrderMachine, OrderMachineContext, OrderMachineEvent } from './machine.js';
