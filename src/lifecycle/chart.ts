/**
 * The chart as data: states are the statuses, events are the command types, guards and actions
 * are referenced by name (and optional params). `createLifecycle` builds it from the command
 * definitions (`lifecycle.chart.config`); the compiler turns it into `transition()`'s lookup
 * table, the docs draw it and `wx-orderkit/xstate` turns it into an xstate machine.
 *
 * Conventions the compiler relies on: flat states only; a transition without `target` stays in
 * its state; one with neither `target` nor `actions` is an accepted no-op (the duplicate payment).
 */

export type ActionRef = string | { type: string; params: Record<string, unknown> };
export type GuardRef = string | { type: string; params: Record<string, unknown> };
export interface ChartTransition {
  guard?: GuardRef;
  target?: string;
  actions?: ActionRef | ActionRef[];
  description?: string;
}
export interface ChartState {
  entry?: ActionRef | ActionRef[];
  exit?: ActionRef | ActionRef[];
  on?: Record<string, string | ChartTransition | ChartTransition[]>;
  description?: string;
}
export interface ChartConfig {
  id: string;
  initial: string;
  states: Record<string, ChartState>;
}
