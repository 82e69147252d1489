import { checkMovement, checkTopUp, creditAccount, namesNothing, sameMovement } from '../../balance/check.js';
import { balanceErrors, isBalanceError } from '../../balance/errors.js';
import { placeWithCompensation } from '../../balance/memory.js';
import type { BalanceMovement, BalancePort, BalanceResult, OrderBalance } from '../../balance/types.js';
import { addDoubts, allInDoubtBefore, doubtOf, earliestDoubt, type DoubtNote, type PlacementDoubt } from '../../storage/placement.js';
import type { PlacementInDoubt, PlacementOutcome } from '../../storage/port.js';
import { checkDatabase, ensureCollections, isMissingCollection, txRead, type CloudDatabase, type CloudTransaction } from './database.js';

export interface WxCloudBalanceOptions {
  /** Collection names. Defaults: balance_accounts, balance_orders, balance_ops. */
  collections?: Partial<{ accounts: string; orders: string; ops: string }>;
}

interface AccountDoc {
  _id: string;
  balance: number;
}
interface OrderDoc {
  _id: string;
  customerId: string;
  debited: number;
  credited: number;
}
interface OpDoc {
  _id: string;
  kind: 'debit' | 'credit' | 'top_up';
  customerId: string;
  amount: number;
  /** A debit: placements of its order id that joined it and have not left (`placeWith`). */
  joined?: Record<string, true>;
  /** A debit: the placement that made it has failed and left. */
  left?: true;
  /** A debit: placements that ended in doubt, by token (`first` for the one that made it; `placeWith`). */
  doubts?: Record<string, PlacementDoubt>;
  /** A debit in doubt: its earliest doubt's time (what the sweep lists by) and its order id. */
  doubt_since?: number;
  doubt_order?: string;
}

/** A query of a collection not created yet (nothing was ever debited) finds nothing. */
function noneIfMissing(error: unknown): { data: unknown[] } {
  if (isMissingCollection(error)) return { data: [] };
  throw error;
}

/** The field of `doubts` naming the placement that made the debit (a token is never this word). */
const FIRST = 'first';

/** The record with the doubts of `tokens` taken out (and the listing fields with the last one). */
function withoutDoubts(op: Omit<OpDoc, '_id'>, tokens: readonly (string | null)[]): Omit<OpDoc, '_id'> {
  const { doubts, doubt_since, doubt_order, ...rest } = op;
  void doubt_since;
  const left = { ...doubts };
  for (const t of tokens) delete left[t ?? FIRST];
  return Object.keys(left).length === 0 ? rest : { ...rest, doubts: left, doubt_since: earliestDoubt(Object.values(left)), doubt_order: doubt_order! };
}


/** A record's fields without its `_id` (a transaction's `set` takes the id from `doc(id)`). */
function withoutId(op: OpDoc): Omit<OpDoc, '_id'> {
  const { _id, ...rest } = op;
  void _id;
  return rest;
}

/** The record id of an (order, key) movement: both parts kept apart by a character ids never hold. */
const opId = (orderId: string, key: string): string => `${orderId}|${encodeURIComponent(key)}`;

/**
 * The stored balance on the WeChat cloud database (`wx-orderkit/wx-cloud`). Every movement is one
 * database transaction (cloud functions' `runTransaction`) that reads the account, the order's
 * totals and the movement's own record (`_id` = order + key), and writes all three or nothing: a
 * repeat finds its record and moves nothing, a balance never goes below zero, and an order never
 * gets back more than it took. The cloud database cannot share that transaction with the order
 * store's, so `placeWith` debits, creates, and credits back when the create fails
 * (docs/payment-sources.md "WeChat cloud database").
 *
 * @example
 * const balance = new WxCloudBalance(cloud.database());
 * await balance.ensureCollections();
 */
export class WxCloudBalance implements BalancePort {
  private readonly db: CloudDatabase;
  readonly names: { accounts: string; orders: string; ops: string };

  constructor(db: CloudDatabase, options: WxCloudBalanceOptions = {}) {
    checkDatabase(db);
    this.db = db;
    this.names = { accounts: 'balance_accounts', orders: 'balance_orders', ops: 'balance_ops', ...options.collections };
  }

  /** Creates the collections that are missing (cloud functions can; once per cold start). */
  async ensureCollections(): Promise<void> {
    await ensureCollections(this.db, Object.values(this.names));
  }

  async balanceOf(customerId: string): Promise<number> {
    if (namesNothing(customerId)) return 0;
    const { data } = await this.call(() => this.db.collection(this.names.accounts).where({ _id: String(customerId) }).get());
    return (data[0] as AccountDoc | undefined)?.balance ?? 0;
  }

  topUp(request: { customerId: string; key: string; amount: number }): Promise<BalanceResult> {
    const r = checkTopUp(request);
    return this.move({ ...r, orderId: 'top-up' }, 'top_up');
  }

  debit(request: BalanceMovement): Promise<BalanceResult> {
    return this.move(checkMovement(request), 'debit');
  }

  credit(request: BalanceMovement): Promise<BalanceResult> {
    return this.move(checkMovement(request), 'credit');
  }

  async orderBalance(orderId: string): Promise<OrderBalance> {
    if (namesNothing(orderId)) return { debited: 0, credited: 0 };
    const { data } = await this.call(() => this.db.collection(this.names.orders).where({ _id: String(orderId) }).get());
    const d = data[0] as OrderDoc | undefined;
    return { debited: d?.debited ?? 0, credited: d?.credited ?? 0 };
  }

  placeWith<T>(request: BalanceMovement, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    return placeWithCompensation(
      this,
      request,
      create,
      (r, token) => this.onDebit(r, undefined, async (tx, id, op, { orderId }) => void (await this.leave(tx, id, op, orderId, [token ?? null]))),
      (r, token) => this.join(r, token),
      (r, token, note) => this.doubt(r, token, note),
    );
  }

  /**
   * Debits in doubt since `before` or earlier, by order id (docs/payment-sources.md "Placements
   * left in doubt"): the earliest 100 per call; the sweep settles them and takes the next ones at
   * its next run.
   */
  async placementsInDoubt(before: Date): Promise<PlacementInDoubt[]> {
    const _ = this.db.command;
    const { data } = await this.call(() =>
      this.db.collection(this.names.ops).where({ kind: 'debit', doubt_since: _.lte(before.getTime()) }).orderBy('doubt_since', 'asc').limit(100).get().catch(noneIfMissing),
    );
    const byOrder = new Map<string, PlacementInDoubt>();
    for (const op of data as OpDoc[]) {
      if (op.doubts && op.doubt_order !== undefined) addDoubts(byOrder, op.doubt_order, Object.values(op.doubts));
    }
    return [...byOrder.values()];
  }

  /**
   * `created`: the doubts of the order's debits are forgotten, the debits stay. `absent`: each
   * debit whose placements still holding it all ended in doubt by `before` is taken back, every one
   * of them leaving as a failed placement would, in one transaction per debit: two sweepers at
   * once take it back once.
   */
  async settleInDoubt(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean> {
    const n = this.names;
    const { data } = await this.call(() => this.db.collection(n.ops).where({ doubt_order: String(orderId) }).limit(100).get().catch(noneIfMissing));
    let back = false;
    for (const found of data as OpDoc[]) {
      const moved = await this.call(() =>
        this.db.runTransaction(async (tx) => {
          const op = await txRead<OpDoc>(tx, n.ops, found._id);
          if (op === null || op.kind !== 'debit' || !op.doubts || op.doubt_order !== orderId) return false;
          const tokens = Object.keys(op.doubts).map((t) => (t === FIRST ? null : t));
          if (outcome === 'created') {
            await tx.collection(n.ops).doc(found._id).set({ data: withoutDoubts(withoutId(op), tokens) });
            return false;
          }
          const doubts = new Map(Object.entries(op.doubts).map(([t, d]) => [t === FIRST ? '' : t, d] as const));
          if (!allInDoubtBefore(op.left, new Set(Object.keys(op.joined ?? {})), doubts, before.getTime())) return false;
          return this.leave(tx, found._id, op, orderId, tokens);
        }, 10),
      );
      back = moved || back;
    }
    return back;
  }

  /** A placement that kept its debit because its order may exist: recorded for the sweep, in one transaction. */
  private doubt(request: BalanceMovement, token: string | null, note: DoubtNote): Promise<void> {
    return this.onDebit(request, undefined, async (tx, id, op, { orderId }) => {
      const doubts = { ...op.doubts, [token ?? FIRST]: doubtOf(note) };
      await tx.collection(this.names.ops).doc(id).set({ data: { ...withoutId(op), doubts, doubt_since: earliestDoubt(Object.values(doubts)), doubt_order: orderId } });
    });
  }

  /** One more placement in flight holds the debit, in one transaction; false when there is none to join. */
  private join(request: BalanceMovement, token: string): Promise<boolean> {
    return this.onDebit(request, false, async (tx, id, op) => {
      await tx.collection(this.names.ops).doc(id).set({ data: { ...withoutId(op), joined: { ...op.joined, [token]: true } } });
      return true;
    });
  }

  /**
   * Placements that failed (or were found never to have created their order) leave the debit
   * (`null`: the one that made it), inside the caller's transaction; once all have left, the debit
   * of the order that was never created is taken back: the account gets the amount back, the
   * order's total loses it (its record goes when this debit was all it held), and the movement's
   * record goes, so a retry of the same order id and key debits again (see placeWithCompensation).
   * Leaving twice counts once. Answers whether the debit was taken back.
   */
  private async leave(tx: CloudTransaction, id: string, op: OpDoc, orderId: string, tokens: readonly (string | null)[]): Promise<boolean> {
    const n = this.names;
    const joined = { ...op.joined };
    for (const t of tokens) if (t !== null) delete joined[t];
    const left = tokens.includes(null) || op.left === true;
    const rest = withoutDoubts(withoutId(op), tokens);
    if (!left || Object.keys(joined).length > 0) {
      await tx.collection(n.ops).doc(id).set({ data: { ...rest, joined, ...(left ? { left: true } : {}) } });
      return false;
    }
    const order = await txRead<OrderDoc>(tx, n.orders, orderId);
    // Credits already given back against this debit: the order exists after all, and its debit stays.
    if (order !== null && order.credited > order.debited - op.amount) {
      await tx.collection(n.ops).doc(id).set({ data: { ...rest, joined, left: true } });
      return false;
    }
    const account = await txRead<AccountDoc>(tx, n.accounts, op.customerId);
    await tx.collection(n.accounts).doc(op.customerId).set({ data: { balance: (account?.balance ?? 0) + op.amount } });
    // An order this debit alone made goes with it: a record left at zero would keep the failed
    // placement's customer, and another customer's debit of the order id would be refused.
    if (order !== null && order.debited === op.amount && order.credited === 0) await tx.collection(n.orders).doc(orderId).remove();
    else if (order !== null) await tx.collection(n.orders).doc(orderId).set({ data: { customerId: order.customerId, debited: order.debited - op.amount, credited: order.credited } });
    await tx.collection(n.ops).doc(id).remove();
    return true;
  }

  /** Runs `body` on the record of a debit, in one transaction; answers `absent` when there is no such debit. */
  private onDebit<T>(request: BalanceMovement, absent: T, body: (tx: CloudTransaction, id: string, op: OpDoc, r: BalanceMovement) => Promise<T>): Promise<T> {
    const r = checkMovement(request);
    return this.call(() =>
      this.db.runTransaction(async (tx) => {
        const id = opId(r.orderId, r.key);
        const op = await txRead<OpDoc>(tx, this.names.ops, id);
        return op === null || op.kind !== 'debit' ? absent : body(tx, id, op, r);
      }, 10),
    );
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isBalanceError(error)) throw error;
      throw balanceErrors.unavailable(error);
    }
  }

  /** One movement in one transaction; a credit goes to the account its order was debited from (creditAccount). */
  private move(r: BalanceMovement, kind: OpDoc['kind']): Promise<BalanceResult> {
    const n = this.names;
    return this.call(() =>
      this.db.runTransaction(async (tx) => {
        const id = opId(r.orderId, r.key);
        const order = kind === 'top_up' ? null : await txRead<OrderDoc>(tx, n.orders, r.orderId);
        const to = kind === 'credit' ? creditAccount(order?.customerId, r.customerId) : r.customerId;
        const account = to ?? r.customerId;
        const have = (await txRead<AccountDoc>(tx, n.accounts, account))?.balance ?? 0;
        const seen = await txRead<OpDoc>(tx, n.ops, id);
        if (seen !== null) {
          if (!sameMovement(seen, kind, r.customerId, r.amount)) throw balanceErrors.keyReused(r.orderId, r.key);
          return { balance: have, replayed: true };
        }
        let balance = have + r.amount;
        if (kind === 'debit') {
          if (have < r.amount) throw balanceErrors.insufficient(r.amount, have);
          // A record that took nothing (left at zero by an undo of an earlier version) names no one yet.
          if (order !== null && order.debited > 0 && order.customerId !== r.customerId) throw balanceErrors.keyReused(r.orderId, r.key);
          balance = have - r.amount;
          await tx.collection(n.orders).doc(r.orderId).set({ data: { customerId: r.customerId, debited: (order?.debited ?? 0) + r.amount, credited: order?.credited ?? 0 } });
        } else if (kind === 'credit') {
          const debited = order !== null && to !== null ? order.debited : 0;
          const credited = order?.credited ?? 0;
          if (credited + r.amount > debited) throw balanceErrors.creditExceedsDebit(r.orderId, debited, credited, r.amount);
          await tx.collection(n.orders).doc(r.orderId).set({ data: { customerId: account, debited, credited: credited + r.amount } });
        }
        await tx.collection(n.accounts).doc(account).set({ data: { balance } });
        await tx.collection(n.ops).doc(id).set({ data: { kind, customerId: account, amount: r.amount } });
        return { balance, replayed: false };
      }, 10),
    );
  }
}
