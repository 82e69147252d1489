import { checkMovement, checkTopUp, creditAccount, namesNothing, sameMovement } from '../../balance/check.js';
import { balanceErrors, isBalanceError } from '../../balance/errors.js';
import { placeWithCompensation } from '../../balance/memory.js';
import type { BalanceMovement, BalancePort, BalanceResult, OrderBalance } from '../../balance/types.js';
import { checkDatabase, ensureCollections, txRead, type CloudDatabase, type CloudTransaction } from './database.js';

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
    return placeWithCompensation(this, request, create, (r, token) => this.undoDebit(r, token ?? null), (r, token) => this.join(r, token));
  }

  /** One more placement in flight holds the debit, in one transaction; false when there is none to join. */
  private join(request: BalanceMovement, token: string): Promise<boolean> {
    return this.onDebit(request, false, async (tx, id, op) => {
      await tx.collection(this.names.ops).doc(id).set({ data: { ...withoutId(op), joined: { ...op.joined, [token]: true } } });
      return true;
    });
  }

  /**
   * A placement that failed leaves the debit (`null`: the one that made it), in one transaction;
   * once all have left, the debit of the order that was never created is taken back: the account
   * gets the amount back, the order's total loses it (its record goes when this debit was all it
   * held), and the movement's record goes, so a retry of the same order id and key debits again
   * (see placeWithCompensation). Leaving twice counts once.
   */
  private undoDebit(request: BalanceMovement, token: string | null): Promise<void> {
    const n = this.names;
    return this.onDebit(request, undefined, async (tx, id, op, { orderId }) => {
      const joined = { ...op.joined };
      if (token !== null) delete joined[token];
      const left = token === null || op.left === true;
      if (!left || Object.keys(joined).length > 0) {
        await tx.collection(n.ops).doc(id).set({ data: { ...withoutId(op), joined, ...(left ? { left: true } : {}) } });
        return;
      }
      const order = await txRead<OrderDoc>(tx, n.orders, orderId);
      // Credits already given back against this debit: the order exists after all, and its debit stays.
      if (order !== null && order.credited > order.debited - op.amount) {
        if (op.left !== true) await tx.collection(n.ops).doc(id).set({ data: { ...withoutId(op), joined, left: true } });
        return;
      }
      const account = await txRead<AccountDoc>(tx, n.accounts, op.customerId);
      await tx.collection(n.accounts).doc(op.customerId).set({ data: { balance: (account?.balance ?? 0) + op.amount } });
      // An order this debit alone made goes with it: a record left at zero would keep the failed
      // placement's customer, and another customer's debit of the order id would be refused.
      if (order !== null && order.debited === op.amount && order.credited === 0) await tx.collection(n.orders).doc(orderId).remove();
      else if (order !== null) await tx.collection(n.orders).doc(orderId).set({ data: { customerId: order.customerId, debited: order.debited - op.amount, credited: order.credited } });
      await tx.collection(n.ops).doc(id).remove();
    });
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
