import { isLazySchema, type core } from '../zod.js';
import type { LocalizedText } from '../errors/orderkit-error.js';
import type { ActorType } from '../order/index.js';
import { lifecycleErrors } from './errors.js';
import type { LifecycleAction, LifecycleGuard } from './step.js';

/**
 * One command, in one file: what it looks like (its zod schema), who may send it, which rows of the
 * chart it takes, its words and its button. `createLifecycle({ commands })` derives everything else
 * from a list of these: the command union and its JSON Schema, the permission table, the chart,
 * `allowedActions`, the views' buttons, the generated docs and the HTTP routes of the Express
 * example (docs/lifecycle.md "Extending the lifecycle").
 */

/** A guard or action by name, with optional fixed params (`{ type: 'close', params: { reason } }`). */
export type RuleRef = string | { type: string; params: Readonly<Record<string, unknown>> };

/**
 * One row of the chart: in any of the `from` statuses the command moves the order to `to` (or
 * leaves it where it is) when `guard` lets it through, running `actions` in order. Rows of one
 * command are tried in the order written; the first whose guard passes wins. A row without `to`
 * and without `actions` is an accepted no-op (a repeated notification).
 */
export interface CommandRow {
  from: string | readonly string[];
  to?: string;
  guard?: RuleRef;
  actions?: readonly RuleRef[];
  description?: string;
}

/** The command's button on an order page (or on one after-sale). */
export interface CommandButton {
  /** Stable key of the button (`ship`, `cancel`…); the mini program maps it to its handler. */
  key: string;
  /** Default: the command's label. */
  label?: LocalizedText;
  /** The main call to action of its row (a filled button). Default false. */
  primary?: boolean;
  /**
   * Left to right on the page (WeChat shops put the main action last): lower ranks first.
   * Built-in buttons use 10…150 in steps of 10.
   */
  rank: number;
  /**
   * A well-formed command for one after-sale (`afterSaleId`), used only for a dry run that decides
   * whether the button shows on that after-sale. Present only for per-after-sale buttons.
   */
  perAfterSale?: (afterSaleId: string) => { type: string };
}

/** Where the command lives over HTTP, relative to `/orders/:id` (the Express example mounts it). */
export interface CommandHttp {
  /** `/cancel`, `/after-sales/:afterSaleId/approve`… Path parameters other than `:id` are copied into the command. */
  path: string;
  operationId: string;
  /** Route group in the OpenAPI document. Default 'commands'. */
  tag?: string;
  /** Longer text for the OpenAPI entry. */
  description?: string;
}

export interface CommandDefinition<TType extends string = string, TCommand extends { type: TType } = { type: TType }> {
  type: TType;
  /** A zod object whose `type` is the literal `type`. */
  schema: core.$ZodType<TCommand, any> & { safeParse(input: unknown): { success: true; data: TCommand } | { success: false; error: core.$ZodError } };
  /** Who may send it; a `customer` must also own the order. */
  actors: readonly ActorType[];
  rows: readonly CommandRow[];
  /** The command's name in the audit trail and docs. */
  label: LocalizedText;
  button?: CommandButton;
  http?: CommandHttp;
  /** Guards the rows name that are not built in (an extension's own). */
  guards?: Readonly<Record<string, LifecycleGuard>>;
  /** Actions the rows name that are not built in. */
  actions?: Readonly<Record<string, LifecycleAction>>;
}

/** The command type a definition stands for. */
export type CommandOfDefinition<D> = D extends CommandDefinition<string, infer C> ? C : never;

const ACTOR_TYPES: readonly string[] = ['customer', 'merchant', 'system', 'payment'];

function invalid(type: unknown, problem: string, details: Record<string, unknown> = {}): never {
  throw lifecycleErrors.invalidLifecycle(`command ${String(type)}: ${problem}`, { command: type, ...details });
}

function checkRef(type: string, ref: unknown, where: string): void {
  if (typeof ref === 'string' && ref.length > 0) return;
  if (typeof ref === 'object' && ref !== null && typeof (ref as { type?: unknown }).type === 'string') return;
  invalid(type, `${where} must name a guard or action`, { where });
}

/**
 * Checks a command definition's shape (a typed `INVALID_LIFECYCLE` naming the command, never a
 * TypeError later) and returns it frozen. Whether its rows fit a chart (statuses exist, guards and
 * actions have implementations) is checked by `createLifecycle`, which sees the whole list.
 *
 * @example
 * const pickedUp = defineCommand({
 *   type: 'PICKED_UP',
 *   schema: z.strictObject({ type: z.literal('PICKED_UP') }),
 *   actors: ['merchant'],
 *   rows: [{ from: 'paid', to: 'completed', actions: ['complete'] }],
 *   label: { 'zh-CN': '已自提', en: 'Picked up' },
 *   button: { key: 'pickedUp', rank: 85, primary: true },
 * });
 */
export function defineCommand<TType extends string, TCommand extends { type: TType }>(
  definition: CommandDefinition<TType, TCommand>,
): CommandDefinition<TType, TCommand> {
  if (typeof definition !== 'object' || definition === null) return invalid('(unknown)', 'a definition must be an object');
  const type = definition.type;
  if (typeof type !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(type)) invalid(type, 'type must be an UPPER_SNAKE_CASE string');
  const schema = definition.schema as unknown as { safeParse?: unknown } | undefined;
  // orderkit's own schemas are built on first use (src/zod.ts): asking for `safeParse` would build them.
  if (!isLazySchema(schema) && (typeof schema !== 'object' || schema === null || typeof schema.safeParse !== 'function')) invalid(type, 'schema must be a zod schema');
  if (!Array.isArray(definition.actors) || definition.actors.length === 0) invalid(type, 'actors must list who may send it');
  for (const a of definition.actors) if (ACTOR_TYPES.indexOf(a) < 0) invalid(type, `unknown actor type "${String(a)}"`, { actor: a });
  if (!Array.isArray(definition.rows) || definition.rows.length === 0) invalid(type, 'rows must list at least one row');
  definition.rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null) invalid(type, `row ${i} must be an object`);
    const from = typeof row.from === 'string' ? [row.from] : row.from;
    if (!Array.isArray(from) || from.length === 0 || from.some((s) => typeof s !== 'string')) invalid(type, `row ${i} needs a from status`, { row: i });
    if (row.to !== undefined && typeof row.to !== 'string') invalid(type, `row ${i}: to must be a status`, { row: i });
    if (row.guard !== undefined) checkRef(type, row.guard, `row ${i} guard`);
    if (row.actions !== undefined) {
      if (!Array.isArray(row.actions)) invalid(type, `row ${i}: actions must be a list`, { row: i });
      for (const a of row.actions) checkRef(type, a, `row ${i} action`);
    }
  });
  const label = definition.label as LocalizedText | undefined;
  if (typeof label !== 'object' || label === null || typeof label['zh-CN'] !== 'string' || typeof label.en !== 'string') invalid(type, 'label needs zh-CN and en');
  if (definition.button !== undefined && (typeof definition.button.key !== 'string' || typeof definition.button.rank !== 'number')) {
    invalid(type, 'button needs a key and a rank');
  }
  return Object.freeze({ ...definition });
}
