import { checkMovement, checkTopUp, creditAccount, namesNothing, sameMovement } from './check.js';
import { balanceErrors, balanceUnavailable } from './errors.js';
import { addDoubts, allInDoubtBefore, doubtNoteOf, doubtOf, earliestDoubt, joinReplayed, mayHaveCreated, type DoubtNote, type PlacementDoubt } from '../storage/placement.js';
import type { PlacementInDoubt, PlacementOutcome } from '../storage/port.js';
import type { BalanceMovement, BalancePort, BalanceResult, OrderBalance } from './types.js';

interface Op {
  kind: 'debit' | 'credit' | 'top_up';
  /** The account moved (for a credit naming a pseudonym, the account the order was debited from). */
  customerId: string;
  amount: number;
  /** A debit: placements of its order id that joined it and have not left (`placeWith`). */
  joined?: Set<string>;
  /** A debit: the placement that made it has failed and left. */
  left?: boolean;
  /** A debit: placements that ended in doubt, by token ('' for the one that made it; `placeWith`). */
  doubts?: Map<string, PlacementDoubt>;
}

/**
 * The balance port in memory (tests, demos, one process). Each call runs to its end before the
 * next begins (no await inside), so it is atomic as the port asks.
 *
 * @example
 * const balance = new MemoryBalance();
 * await balance.topUp({ customerId: 'u1', key: 'card-1', amount: 10000 });
 */
export class MemoryBalance implements BalancePort {
  private readonly accounts = new Map<string, number>();
  private readonly ops = new Map<string, Op>();
  private readonly orders = new Map<string, OrderBalance & { customerId: string }>();

  async balanceOf(customerId: string): Promise<number> {
    if (namesNothing(customerId)) return 0;
    return this.accounts.get(String(customerId)) ?? 0;
  }

  async topUp(request: { customerId: string; key: string; amount: number }): Promise<BalanceResult> {
    const r = checkTopUp(request);
    const id = `top-up\u0000${r.key}`;
    const seen = this.replay(id, 'top_up', r.customerId, r.amount, 'top-up', r.key);
    if (seen) return seen;
    this.ops.set(id, { kind: 'top_up', customerId: r.customerId, amount: r.amount });
    const balance = (this.accounts.get(r.customerId) ?? 0) + r.amount;
    this.accounts.set(r.customerId, balance);
    return { balance, replayed: false };
  }

  async debit(request: BalanceMovement): Promise<BalanceResult> {
    const r = checkMovement(request);
    const id = `${r.orderId}\u0000${r.key}`;
    const seen = this.replay(id, 'debit', r.customerId, r.amount, r.orderId, r.key);
    if (seen) return seen;
    const have = this.accounts.get(r.customerId) ?? 0;
    if (have < r.amount) throw balanceErrors.insufficient(r.amount, have);
    const order = this.orders.get(r.orderId);
    if (order !== undefined && order.customerId !== r.customerId) throw balanceErrors.keyReused(r.orderId, r.key);
    this.ops.set(id, { kind: 'debit', customerId: r.customerId, amount: r.amount });
    this.accounts.set(r.customerId, have - r.amount);
    this.orders.set(r.orderId, { customerId: r.customerId, debited: (order?.debited ?? 0) + r.amount, credited: order?.credited ?? 0 });
    return { balance: have - r.amount, replayed: false };
  }

  async credit(request: BalanceMovement): Promise<BalanceResult> {
    const r = checkMovement(request);
    const id = `${r.orderId}\u0000${r.key}`;
    const seen = this.replay(id, 'credit', r.customerId, r.amount, r.orderId, r.key);
    if (seen) return seen;
    const order = this.orders.get(r.orderId);
    // Back to the account the order was debited from (./check.ts creditAccount).
    const account = creditAccount(order?.customerId, r.customerId);
    const debited = account !== null ? order!.debited : 0;
    const credited = order?.credited ?? 0;
    if (account === null || credited + r.amount > debited) throw balanceErrors.creditExceedsDebit(r.orderId, debited, credited, r.amount);
    this.ops.set(id, { kind: 'credit', customerId: account, amount: r.amount });
    const balance = (this.accounts.get(account) ?? 0) + r.amount;
    this.accounts.set(account, balance);
    this.orders.set(r.orderId, { customerId: account, debited, credited: credited + r.amount });
    return { balance, replayed: false };
  }

  async orderBalance(orderId: string): Promise<OrderBalance> {
    if (namesNothing(orderId)) return { debited: 0, credited: 0 };
    const o = this.orders.get(String(orderId));
    return { debited: o?.debited ?? 0, credited: o?.credited ?? 0 };
  }

  async placeWith<T>(request: BalanceMovement, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    return placeWithCompensation(
      this,
      request,
      create,
      async (r, token) => void this.undoDebit(r, token ?? null),
      async (r, token) => this.join(r, token),
      async (r, token, note) => this.doubt(r, token, note),
    );
  }

  /** Order ids with a debit in doubt since `before` or earlier (docs/payment-sources.md "Placements left in doubt"). */
  async placementsInDoubt(before: Date): Promise<PlacementInDoubt[]> {
    const byOrder = new Map<string, PlacementInDoubt>();
    for (const [id, op] of this.ops) {
      if (!op.doubts || earliestDoubt(op.doubts.values()) > before.getTime()) continue;
      addDoubts(byOrder, id.slice(0, id.indexOf('\u0000')), op.doubts.values());
    }
    return [...byOrder.values()];
  }

  /**
   * `created`: the doubts are forgotten, the debits stay. `absent`: a debit whose placements still
   * holding it all ended in doubt by `before` is taken back, each placement leaving as a failed one
   * would. Synchronous, so the check and the undo are one step.
   */
  async settleInDoubt(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean> {
    let back = false;
    for (const [id, op] of [...this.ops]) {
      if (!op.doubts || !id.startsWith(`${orderId}\u0000`)) continue;
      if (outcome === 'created') delete op.doubts;
      else if (allInDoubtBefore(op.left, op.joined, op.doubts, before.getTime())) {
        const request = { customerId: op.customerId, orderId, key: id.slice(orderId.length + 1), amount: op.amount };
        for (const token of [...op.doubts.keys()]) back = this.undoDebit(request, token === '' ? null : token) || back;
      }
    }
    return back;
  }

  /** A placement that kept its debit because its order may exist: recorded for the sweep. */
  private doubt(request: BalanceMovement, token: string | null, note: DoubtNote): void {
    const op = this.ops.get(`${request.orderId}\u0000${request.key}`);
    if (op?.kind !== 'debit') return;
    (op.doubts ??= new Map()).set(token ?? '', doubtOf(note));
  }

  /** One more placement in flight holds the debit; false when there is none to join. */
  private join(request: BalanceMovement, token: string): boolean {
    const r = checkMovement(request);
    const op = this.ops.get(`${r.orderId}\u0000${r.key}`);
    if (op?.kind !== 'debit') return false;
    (op.joined ??= new Set()).add(token);
    return true;
  }

  /**
   * A placement that failed leaves the debit (`null`: the one that made it); once all have left,
   * it is taken back as if it had not happened (see placeWithCompensation).
   */
  private undoDebit(request: BalanceMovement, token: string | null): boolean {
    const r = checkMovement(request);
    const id = `${r.orderId}\u0000${r.key}`;
    const op = this.ops.get(id);
    if (op?.kind !== 'debit') return false;
    if (token === null) op.left = true;
    else op.joined?.delete(token);
    op.doubts?.delete(token ?? '');
    if (op.left !== true || (op.joined?.size ?? 0) > 0) return false;
    const order = this.orders.get(r.orderId);
    // Credits already given back against this debit: the order exists, and its debit stays.
    if (order !== undefined && order.credited > order.debited - op.amount) return false;
    this.ops.delete(id);
    this.accounts.set(op.customerId, (this.accounts.get(op.customerId) ?? 0) + op.amount);
    if (order === undefined) return true;
    if (order.debited === op.amount && order.credited === 0) this.orders.delete(r.orderId);
    else this.orders.set(r.orderId, { ...order, debited: order.debited - op.amount });
    return true;
  }

  /** The first answer of an (order, key) already applied (the balance of the account it moved), or a refusal when its content differs. */
  private replay(id: string, kind: Op['kind'], customerId: string, amount: number, orderId: string, key: string): BalanceResult | null {
    const op = this.ops.get(id);
    if (op === undefined) return null;
    if (!sameMovement(op, kind, customerId, amount)) throw balanceErrors.keyReused(orderId, key);
    return { balance: this.accounts.get(op.customerId) ?? 0, replayed: true };
  }
}

/**
 * Debit, create, and give the debit back when the create fails: for ports that cannot share the
 * store's transaction (docs/payment-sources.md, "Placing without one transaction"). Only a debit
 * this call made goes back (a replayed one belongs to an earlier call). `undo` takes the debit
 * back as if it had never happened, so that a retry of the same order id and key debits again;
 * without it (a port of your own) the debit is credited back under `<key>:placement-failed`, and a
 * retry with the same order number would find its debit already there. The give-back is tried
 * three times; a port still down after that leaves the debit recorded under the order id
 * (`orderBalance(orderId)` shows debited > credited for an order that does not exist), and the
 * create's error is thrown. A create whose error says the order may have been written
 * (`mayHaveApplied: true`, or BALANCE_PLACEMENT_UNKNOWN) keeps the debit: only a create known to
 * have written nothing gives it back. An undo never takes back what the order's credits already
 * gave back (a refund of an order that exists after all): the debit then stays.
 *
 * With `join`, a replayed debit (another placement of the same order id at once) is joined before
 * the create under a token of its own (`join` answers false when the debit is gone, and it is made
 * again). Every placement that fails then calls `undo(request, token)` (`null`: the placement that
 * made the debit), which must take the debit back only once that one and every joined one have
 * left, each counted once however often it is called: a created order never leaves, so its debit
 * is never taken back from under it. Without `join`, a failed placement that debited could take
 * back the debit that pays for its twin's created order.
 *
 * With `doubt`, a placement that keeps its debit because the create may have written the order is
 * recorded as in doubt (its token, `null` for the one that debited), so that `service.sweep` can
 * take the debit back once the order is known not to exist (docs/payment-sources.md "Placements
 * left in doubt").
 */
export async function placeWithCompensation<T>(
  port: BalancePort,
  request: BalanceMovement,
  create: (transaction?: unknown) => Promise<T>,
  undo?: (request: BalanceMovement, token?: string | null) => Promise<void>,
  join?: (request: BalanceMovement, token: string) => Promise<boolean>,
  doubt?: (request: BalanceMovement, token: string | null, note: DoubtNote) => Promise<unknown>,
): Promise<T> {
  const { result: debited, token } = await joinReplayed(
    await port.debit(request),
    join && ((t) => join(request, t)),
    () => port.debit(request),
    () => balanceUnavailable(`the debit of ${request.orderId} kept changing`),
  );
  try {
    return await create();
  } catch (error) {
    // A create that may have written its order keeps the debit: taken back, the order would stand
    // paid with money the customer has again (docs/payment-sources.md "Placing without one transaction").
    if ((!debited.replayed || token !== null) && mayHaveCreated(error)) {
      if (doubt) await doubt(request, token, doubtNoteOf(error)).catch(() => undefined);
    } else if (!debited.replayed || token !== null) {
      const giveBack = undo ? () => undo(request, token) : () => port.credit({ ...request, key: `${request.key}:placement-failed` });
      for (let i = 0; i < 3; i++) {
        try {
          await giveBack();
          break;
        } catch {
          // tried again; see above
        }
      }
    }
    throw error;
  }
}
