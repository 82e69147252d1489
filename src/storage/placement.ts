import type { PlacementInDoubt } from './port.js';

/**
 * Names one placement in flight through a port that cannot share the store's transaction (the
 * `placeWith` of an inventory or a balance), among the other placements of the same order id, so
 * that a placement leaving twice (a retry after a lost answer) counts once. Only placements of one
 * order id at one moment must differ, so `Math.random` is enough and keeps node:crypto off the
 * root entry's load.
 */
export function placementToken(): string {
  return `p${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
}

/** How many times a replayed placement tries to join a reservation or debit that keeps going away. */
const JOIN_TRIES = 5;

/**
 * A placement whose reserve or debit was a replay (another placement of the same order id made it)
 * joins it under a token of its own before it creates anything (docs/inventory.md and
 * docs/payment-sources.md, "Placing without one transaction"); when `join` answers that there is
 * nothing to join any more, the reserve or debit is made again (`again`). Answers the last result
 * and the token (null: this placement made it, or the port cannot join).
 */
export async function joinReplayed<R extends { replayed: boolean }>(
  first: R,
  join: ((token: string) => Promise<boolean>) | undefined,
  again: () => Promise<R>,
  unavailable: () => Error,
): Promise<{ result: R; token: string | null }> {
  let result = first;
  for (let tries = 0; join !== undefined && result.replayed; tries++) {
    if (tries === JOIN_TRIES) throw unavailable();
    const token = placementToken();
    if (await join(token)) return { result, token };
    result = await again();
  }
  return { result, token: null };
}

/**
 * Whether a create's failure leaves its outcome open, so that the order may exist (docs/inventory.md
 * and docs/payment-sources.md, "Placing without one transaction"): a store error saying
 * `mayHaveApplied` (the cloud database's), or a placement's unknown outcome
 * (BALANCE_PLACEMENT_UNKNOWN, INVENTORY_PLACEMENT_UNKNOWN, whose details say `mayHaveApplied`).
 * What a placement took for such a create (a debit, a hold) is never given back.
 */
export function mayHaveCreated(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { mayHaveApplied?: unknown; details?: { mayHaveApplied?: unknown } | null };
  return e.mayHaveApplied === true || (typeof e.details === 'object' && e.details !== null && e.details.mayHaveApplied === true);
}

/**
 * What the service knows of a placement it answered "unknown" (the typed error it threw): when,
 * on its clock, and under which idempotency key, so that the adapter keeping the units or the debit
 * can record the doubt for `service.sweep` (docs/inventory.md and docs/payment-sources.md,
 * "Placements left in doubt"). Kept beside the error, never on it: the key is the service's own.
 */
export interface DoubtNote {
  at: Date;
  idempotencyKey?: string;
}

const notes = new WeakMap<object, DoubtNote>();

/** Notes when and under which key a placement ended in doubt (the service's finding out). */
export function noteDoubt<E extends object>(error: E, note: DoubtNote): E {
  notes.set(error, note);
  return error;
}

/** The note of a placement's error, or the time now and no key for an error the service did not note. */
export function doubtNoteOf(error: unknown): DoubtNote {
  return (typeof error === 'object' && error !== null && notes.get(error)) || { at: new Date() };
}

/** One placement of an order id left in doubt: since when, and the idempotency key its order may still come from. */
export interface PlacementDoubt {
  since: number;
  idempotencyKey?: string;
}

/** The record an adapter keeps of a placement the service answered "unknown", from its note. */
export function doubtOf(note: DoubtNote): PlacementDoubt {
  return { since: note.at.getTime(), ...(note.idempotencyKey !== undefined ? { idempotencyKey: note.idempotencyKey } : {}) };
}

/** When the earliest of these doubts began (ms): what an adapter indexes to list doubts past their grace. */
export function earliestDoubt(doubts: Iterable<PlacementDoubt>): number {
  let since = Infinity;
  for (const d of doubts) since = Math.min(since, d.since);
  return since;
}

/**
 * Adds an order id's doubts to the entries `placementsInDoubt` answers, one per order id: in doubt
 * since the latest of them (and not before `since`), with each idempotency key its order may still
 * come from, once.
 */
export function addDoubts(into: Map<string, PlacementInDoubt>, orderId: string, doubts: Iterable<PlacementDoubt>, since = 0): void {
  const entry = into.get(orderId) ?? { orderId, since: new Date(since), idempotencyKeys: [] };
  for (const d of doubts) {
    if (d.since > entry.since.getTime()) entry.since = new Date(d.since);
    if (d.idempotencyKey !== undefined && !entry.idempotencyKeys.includes(d.idempotencyKey)) entry.idempotencyKeys.push(d.idempotencyKey);
  }
  into.set(orderId, entry);
}

/**
 * Whether every placement of an order id still holding its units or its debit (the first unless
 * it `left`, then each `joined` token) ended in doubt at or before `before` (ms): only then may they
 * go back once the order is known not to exist. `doubts` is keyed by token ('' for the first).
 */
export function allInDoubtBefore(left: boolean | undefined, joined: ReadonlySet<string> | undefined, doubts: ReadonlyMap<string, PlacementDoubt>, before: number): boolean {
  const inFlight = [...(left === true ? [] : ['']), ...(joined ?? [])];
  return inFlight.length > 0 && inFlight.every((token) => {
    const d = doubts.get(token);
    return d !== undefined && d.since <= before;
  });
}
