import { checkGiveBack, checkHold, checkSetup, checkTake, limitKeyOf } from '../../inventory/check.js';
import { inventoryUnavailable, isInventoryError, limitReached, outOfStock, unknownSku } from '../../inventory/errors.js';
import { placeWithHold } from '../../inventory/place-with-hold.js';
import type { GiveBackRequest, HoldRequest, HoldResult, InventoryPort, SkuSetup, StockItem, StockLevel, StockPolicy, TakeRequest } from '../../inventory/types.js';
import { addDoubts, allInDoubtBefore, doubtOf, earliestDoubt, type DoubtNote, type PlacementDoubt } from '../../storage/placement.js';
import type { PersonalDataRedaction, PlacementInDoubt, PlacementOutcome } from '../../storage/port.js';
import { checkDatabase, ensureCollections, txRead, type CloudDatabase } from './database.js';
import { backoff } from './concurrency.js';
import { checkDurationOption, classifyCloudError, isDuplicateKey } from './errors.js';
import { newToken } from './writes.js';

export interface WxCloudInventoryOptions {
  /** Collection names. Defaults: inventory_skus, inventory_limits, inventory_holds, inventory_ops. */
  collections?: Partial<{ skus: string; limits: string; holds: string; ops: string }>;
  /**
   * How long a hold may run before `recover()` treats it as cut short and gives its units back.
   * Must exceed your function's longest run (its timeout). Default 15 minutes.
   */
  holdLeaseMs?: number;
  /**
   * How long a repeated placement of an order id waits for the first placement's hold to finish
   * before it answers `INVENTORY_UNAVAILABLE` (try again later). Default 1 second.
   */
  holdWaitMs?: number;
}

interface SkuDoc {
  _id: string;
  available: number;
  held: number;
  policy: StockPolicy;
  perCustomer?: number;
  limitKey?: string;
  restock: boolean;
  /** Tags of holds in flight (see `markOf`). */
  marks?: Record<string, number>;
}
/** One step of a hold: a 限购 count or a SKU's stock, taken by `quantity`. */
interface HoldStep {
  kind: 'limit' | 'sku';
  id: string;
  quantity: number;
}
/**
 * The claim of a hold, also its journal: `taking` while its steps run, `held` once the hold doc is
 * written, `done` when tidied; `aborting` while recovery gives it back. Older claims are `{ _id }`.
 * A reservation's claim also records the placements of its order id in flight (docs/inventory.md,
 * "Placing without one transaction"): the ones that joined it (`joined`), whether the one that
 * reserved has failed (`left`), and `abandoning` while the units go back under `key` once all have
 * left (whoever meets it finishes that). A give-back's claim is `lowering` while the counts it
 * lists go down, then `done`.
 */
interface ClaimDoc {
  _id: string;
  state?: 'taking' | 'held' | 'aborting' | 'done' | 'abandoning' | 'lowering';
  at?: unknown;
  steps?: HoldStep[];
  /** `abandoning`: the give-back's key and what it gives back. */
  key?: string;
  items?: StockItem[];
  joined?: Record<string, true>;
  left?: true;
  /** A give-back's claim while `lowering`: which of its `steps` have gone down. */
  lowered?: number[];
  /** A reservation's placements that ended in doubt, by token (`first`: the one that reserved). */
  doubts?: Record<string, PlacementDoubt>;
  /** With `doubts`: the earliest one's time (what the sweep lists by) and the order id. */
  doubt_since?: number;
  doubt_order?: string;
}

/** The field of `doubts` naming the placement that reserved (a token is never this word). */
const FIRST = 'first';

/** How many times a give-back's transaction runs while other writers of its records conflict with it. */
const CONTENDED_TRIES = 20;
/** How often a repeated placement looks again at a reservation still being taken or given back. */
const CLAIM_WAIT_MS = 25;

/** The field name (under `marks`) that tags a record changed by one hold: no `.`, no leading `$`. */
function markOf(claimId: string): string {
  return `h_${claimId.replace(/[^A-Za-z0-9_\-|:]/g, (c) => `~${c.charCodeAt(0).toString(16)}`)}`;
}

interface HoldDoc {
  _id: string;
  customerId: string;
  items: Array<{ sku: string; quantity: number; limitKey: string | null }>;
}

/**
 * The inventory on the WeChat cloud database (`wx-orderkit/wx-cloud`). Stock is taken with a
 * conditional update that changes nothing when too little is left —
 * `where({ _id: sku, available: _.gte(n) }).update({ available: _.inc(-n) })` — and 限购 with the
 * same kind of update on the customer's count (`held: _.lte(limit − n)`), so neither is a read
 * before a write. A claim record per (order, operation), added with its own `_id`, makes every call
 * idempotent: a second add of the same `_id` fails with a duplicate key. A hold of several SKUs
 * takes them one by one, all or nothing even across a crash: its claim lists every step first, each
 * update tags its record with the hold (`marks`), and the hold counts only once one transaction
 * writes it and marks the claim `held`; a refusal gives back what was tagged at once, and a hold cut
 * short by a crash is given back by `recover()` (run by `reconcile()` at every sweep) after
 * `holdLeaseMs` (docs/inventory.md).
 *
 * @example
 * const inventory = new WxCloudInventory(cloud.database());
 * await inventory.ensureCollections();
 */
export class WxCloudInventory implements InventoryPort {
  private readonly db: CloudDatabase;
  readonly names: { skus: string; limits: string; holds: string; ops: string };
  private readonly leaseMs: number;
  private readonly waitMs: number;

  constructor(db: CloudDatabase, options: WxCloudInventoryOptions = {}) {
    checkDatabase(db);
    checkDurationOption(options.holdLeaseMs, 'holdLeaseMs', 1);
    checkDurationOption(options.holdWaitMs, 'holdWaitMs', 0);
    this.db = db;
    this.leaseMs = options.holdLeaseMs ?? 15 * 60_000;
    this.waitMs = options.holdWaitMs ?? 1000;
    this.names = { skus: 'inventory_skus', limits: 'inventory_limits', holds: 'inventory_holds', ops: 'inventory_ops', ...options.collections };
  }

  /** Creates the collections that are missing (cloud functions can; once per cold start). */
  async ensureCollections(): Promise<void> {
    await ensureCollections(this.db, Object.values(this.names));
  }

  async configure(setup: SkuSetup): Promise<void> {
    const s = checkSetup(setup);
    const old = await this.sku(s.sku);
    const data: Omit<SkuDoc, '_id'> = { available: s.available, held: old?.held ?? 0, policy: s.policy, restock: s.restockOnReturn };
    // Holds in flight keep their tags (recover() needs them).
    if (old?.marks !== undefined) data.marks = old.marks;
    if (s.limit) {
      data.perCustomer = s.limit.perCustomer;
      data.limitKey = limitKeyOf(s.sku, s.limit);
    }
    await this.call(() => this.db.collection(this.names.skus).doc(s.sku).set({ data }));
  }

  async level(sku: string): Promise<StockLevel | null> {
    const d = await this.sku(String(sku));
    if (!d) return null;
    const level: StockLevel = { sku: d._id, available: d.available, held: d.held, policy: d.policy, restockOnReturn: d.restock };
    if (d.perCustomer !== undefined) level.limit = { perCustomer: d.perCustomer, key: d.limitKey ?? d._id };
    return level;
  }

  async heldBy(orderId: string): Promise<StockItem[]> {
    const hold = await this.holdDoc(String(orderId));
    return (hold?.items ?? []).filter((i) => i.quantity > 0).map((i) => ({ sku: i.sku, quantity: i.quantity })).sort((a, b) => (a.sku < b.sku ? -1 : 1));
  }

  reserve(request: HoldRequest): Promise<HoldResult> {
    return this.hold(checkHold(request), 'reserve');
  }

  commit(request: HoldRequest & { attempt: string }): Promise<HoldResult> {
    return this.hold(checkHold(request), 'commit');
  }

  /**
   * 换货 (docs/inventory.md "Exchanges"): a hold of its own, claimed as `<order>|take:<key>` (so a
   * key is applied once), that takes every item whatever its policy and raises the 限购 counts
   * without a check; the same journal, tags and recovery as a placement's hold, so a function cut
   * short is finished (all or nothing) by `recover()`. Answers what this call took, `[]` on a repeat.
   */
  async take(request: TakeRequest): Promise<StockItem[]> {
    const r = checkTake(request);
    const result = await this.hold({ orderId: r.orderId, customerId: r.customerId, items: r.items }, { take: r.key });
    return result.replayed ? [] : r.items.map((i) => ({ sku: i.sku, quantity: i.quantity }));
  }

  async release(request: GiveBackRequest): Promise<StockItem[]> {
    return this.giveBack(checkGiveBack(request), false);
  }

  async restock(request: GiveBackRequest): Promise<StockItem[]> {
    return this.giveBack(checkGiveBack(request), true);
  }

  /**
   * Reserve, create, and on a failed create give back only what this call took (docs/inventory.md,
   * "Placing without one transaction"). A repeated placement of the id joins the reservation before
   * it creates, and the units go back only once every placement in flight has failed and left, so
   * a failed twin never gives back the units of an order that was created; one that finds the
   * reservation being given back finishes that and holds afresh.
   */
  placeWith<T>(request: HoldRequest, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    return placeWithHold(
      this,
      request,
      create,
      (token) => this.abandon(request, token),
      (r, token) => this.join(r, token),
      (token, note) => this.doubt(request.orderId, token, note),
    );
  }

  /**
   * Reservations with a placement in doubt since `before` or earlier (docs/inventory.md
   * "Placements left in doubt"): the earliest 100 per call; the sweep settles them and takes the
   * next ones at its next run.
   */
  async placementsInDoubt(before: Date): Promise<PlacementInDoubt[]> {
    const _ = this.db.command;
    const { data } = await this.call(() => this.db.collection(this.names.ops).where({ doubt_since: _.lte(before.getTime()) }).orderBy('doubt_since', 'asc').limit(100).get());
    const byOrder = new Map<string, PlacementInDoubt>();
    for (const claim of data as ClaimDoc[]) {
      // An `abandoning` claim keeps `doubt_since` and `doubt_order` (not `doubts`) until its give-back is finished.
      if (claim.doubt_order !== undefined && claim.doubt_since !== undefined) addDoubts(byOrder, claim.doubt_order, Object.values(claim.doubts ?? {}), claim.doubt_since);
    }
    return [...byOrder.values()];
  }

  /**
   * `created`: the doubts are forgotten, the units stay. `absent`: when every placement still
   * holding the reservation ended in doubt by `before`, one transaction on the claim makes them all
   * leave and turns it `abandoning` with the hold's units, and the give-back runs as for failed
   * placements (`finishAbandon`, once per key, whoever finishes it). The claim stays listed until the
   * give-back is finished, so a sweep that was cut short (or lost the answer) is finished by the
   * next. Answers true for the call that turned the claim.
   */
  async settleInDoubt(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean> {
    const claimId = `${orderId}|hold:reserve`;
    const _ = this.db.command;
    for (let tries = 0; tries < 5; tries++) {
      const claim = await this.claimDoc(claimId);
      if (claim === null) return false;
      if (claim.state === 'abandoning') {
        // Turned by another sweeper, or by an earlier one whose answer was lost: finish it.
        await this.finishAbandon(claim);
        return false;
      }
      if (claim.doubts === undefined) return false;
      if (claim.state === 'held') {
        await this.tidy(claim);
        continue;
      }
      if (claim.state !== undefined && claim.state !== 'done') return false;
      const turned = await this.contended(() =>
        this.db.runTransaction(async (tx) => {
          const now = await txRead<ClaimDoc>(tx, this.names.ops, claimId);
          if (now === null || now.doubts === undefined || (now.state !== undefined && now.state !== 'done')) return false;
          const forget = { doubts: _.remove(), doubt_since: _.remove(), doubt_order: _.remove() };
          if (outcome === 'created') {
            await tx.collection(this.names.ops).doc(claimId).update({ data: forget });
            return false;
          }
          const doubts = new Map(Object.entries(now.doubts).map(([t, d]) => [t === FIRST ? '' : t, d] as const));
          if (!allInDoubtBefore(now.left, new Set(Object.keys(now.joined ?? {})), doubts, before.getTime())) return false;
          const hold = await txRead<HoldDoc>(tx, this.names.holds, orderId);
          const items = (hold?.items ?? []).filter((i) => i.quantity > 0).map((i) => ({ sku: i.sku, quantity: i.quantity }));
          await tx.collection(this.names.ops).doc(claimId).update({
            data: { doubts: _.remove(), state: 'abandoning', key: `placement-in-doubt:${newToken()}`, items: _.set(items), at: this.db.serverDate(), joined: _.remove(), left: _.remove() },
          });
          return true;
        }),
      );
      if (!turned) return false;
      const after = await this.claimDoc(claimId);
      if (after?.state === 'abandoning') await this.finishAbandon(after);
      return true;
    }
    return false;
  }

  /** A placement that kept the units because its order may exist: recorded on the claim for the sweep, in one transaction. */
  private async doubt(orderId: string, token: string | null, note: DoubtNote): Promise<void> {
    const claimId = `${orderId}|hold:reserve`;
    const mark = doubtOf(note);
    for (let tries = 0; tries < 5; tries++) {
      const claim = await this.claimDoc(claimId);
      if (claim === null) return;
      if (claim.state === 'held') {
        await this.tidy(claim);
        continue;
      }
      const done = await this.onClaim(claimId, (now) => {
        const doubts = { ...now.doubts, [token ?? FIRST]: mark };
        return { doubts: this.db.command.set(doubts), doubt_since: earliestDoubt(Object.values(doubts)), doubt_order: orderId };
      });
      if (done !== null) return;
    }
  }

  /**
   * Joins the reservation of the id under `token`, in one transaction on its claim; false when there
   * is none to join (gone, or being given back, which this finishes first). Waits for a hold still
   * running, up to `holdWaitMs`, then answers INVENTORY_UNAVAILABLE.
   */
  private async join(request: HoldRequest, token: string): Promise<boolean> {
    const claimId = `${request.orderId}|hold:reserve`;
    const looks = Math.max(1, Math.ceil(this.waitMs / CLAIM_WAIT_MS));
    for (let look = 0; look < looks; look++) {
      const claim = await this.claimDoc(claimId);
      if (claim === null) return false;
      if (claim.state === 'abandoning') {
        await this.finishAbandon(claim);
        return false;
      }
      if (claim.state === 'taking' || claim.state === 'aborting') {
        // The first placement's hold is still running (or recovery is giving it back).
        await new Promise((resolve) => setTimeout(resolve, CLAIM_WAIT_MS));
        continue;
      }
      if (claim.state === 'held') {
        await this.tidy(claim);
        continue;
      }
      const joined = await this.onClaim(claimId, (now) => ({ joined: this.db.command.set({ ...now.joined, [token]: true }) }));
      if (joined !== null) return true;
    }
    throw inventoryUnavailable(`the reservation of ${request.orderId} is still being taken or given back`);
  }

  /**
   * A placement that failed leaves the reservation (`token` null: the one that reserved), in one
   * transaction on its claim; once all have left, the claim turns `abandoning` with the give-back's
   * key and items, and the units go back. A function that dies after that leaves the rest to
   * whoever meets the claim next: a retry of the id, a repeated placement, or `recover()` after the
   * lease. Leaving twice counts once. A failure here is left as it is.
   */
  private async abandon(request: HoldRequest, token: string | null): Promise<void> {
    const claimId = `${request.orderId}|hold:reserve`;
    try {
      for (let tries = 0; tries < 5; tries++) {
        const claim = await this.claimDoc(claimId);
        if (claim === null) return;
        if (claim.state === 'abandoning') return this.finishAbandon(claim);
        if (claim.state === 'held') {
          await this.tidy(claim);
          continue;
        }
        if (claim.state !== undefined && claim.state !== 'done') return;
        const _ = this.db.command;
        const moved = await this.onClaim(claimId, (now) => {
          const joined = { ...now.joined };
          if (token !== null) delete joined[token];
          const left = token === null || now.left === true;
          if (!left || Object.keys(joined).length > 0) return left ? { joined: _.set(joined), left: true } : { joined: _.set(joined) };
          return { state: 'abandoning', key: `placement-failed:${newToken()}`, items: _.set(request.items.map((i) => ({ sku: i.sku, quantity: i.quantity }))), at: this.db.serverDate(), joined: _.remove(), left: _.remove() };
        });
        if (moved === null) continue;
        const after = await this.claimDoc(claimId);
        if (after?.state === 'abandoning') await this.finishAbandon(after);
        return;
      }
    } catch {
      // see above
    }
  }

  /**
   * Updates a reservation's claim in one transaction while it is `done` (or from before states):
   * `change` gets the claim as it is and answers the update; null when the claim is gone or in
   * another state.
   */
  private onClaim(claimId: string, change: (claim: ClaimDoc) => Record<string, unknown>): Promise<ClaimDoc | null> {
    return this.contended(() =>
      this.db.runTransaction(async (tx) => {
        const now = await txRead<ClaimDoc>(tx, this.names.ops, claimId);
        if (now === null || (now.state !== undefined && now.state !== 'done')) return null;
        await tx.collection(this.names.ops).doc(claimId).update({ data: change(now) });
        return now;
      }),
    );
  }

  /**
   * The rest of an abandon, safe to run twice or by two functions at once: the hold's marks go, the
   * units go back under the claim's key (once per key), an emptied hold goes (in a transaction, so
   * a new hold of the id is never removed) with the customer's 限购 records left at zero, and the
   * claim goes last, so no one holds the id again meanwhile (docs/privacy.md).
   */
  private async finishAbandon(claim: ClaimDoc): Promise<void> {
    const orderId = claim._id.slice(0, -'|hold:reserve'.length);
    if (claim.steps !== undefined) await this.settle(claim._id, claim.steps, 'clear');
    if (claim.key !== undefined && claim.items !== undefined && claim.items.length > 0) await this.release({ orderId, key: claim.key, items: claim.items });
    const emptied = await this.contended(() =>
      this.db.runTransaction(async (tx) => {
        const hold = await txRead<HoldDoc>(tx, this.names.holds, orderId);
        if (hold === null || !hold.items.every((i) => i.quantity === 0)) return null;
        await tx.collection(this.names.holds).doc(orderId).remove();
        return hold;
      }),
    );
    if (emptied !== null) {
      for (const key of new Set(emptied.items.map((i) => i.limitKey))) {
        if (key !== null) await this.call(() => this.db.collection(this.names.limits).where({ _id: `${key}|${emptied.customerId}`, held: 0 }).remove());
      }
    }
    await this.call(() => this.db.collection(this.names.ops).where({ _id: claim._id, state: 'abandoning', key: claim.key }).remove());
  }

  private claimDoc(id: string): Promise<ClaimDoc | null> {
    return this.byId<ClaimDoc>(this.names.ops, id);
  }

  /** One record by its id, read outside any transaction; null when there is none. */
  private async byId<T>(collection: string, id: string): Promise<T | null> {
    const { data } = await this.call(() => this.db.collection(collection).where({ _id: id }).get());
    return (data[0] as T | undefined) ?? null;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isInventoryError(error)) throw error;
      throw inventoryUnavailable(error);
    }
  }

  private sku(sku: string): Promise<SkuDoc | null> {
    return this.byId<SkuDoc>(this.names.skus, sku);
  }

  private holdDoc(orderId: string): Promise<HoldDoc | null> {
    return this.byId<HoldDoc>(this.names.holds, orderId);
  }

  /** Adds the claim record; false when it was already there (the operation ran before). */
  private async claim(id: string, doc: object = { _id: id }): Promise<boolean> {
    try {
      await this.db.collection(this.names.ops).add({ data: doc });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw inventoryUnavailable(error);
    }
  }

  private async unclaim(id: string): Promise<void> {
    await this.db.collection(this.names.ops).where({ _id: id }).remove().catch(() => undefined);
  }

  private async hold(request: HoldRequest, phase: 'reserve' | 'commit' | { take: string }, retries = 3): Promise<HoldResult> {
    // A take (换货) takes every item, whatever its policy, and no limit refuses it.
    const take = typeof phase === 'object';
    const policy: StockPolicy = phase === 'reserve' ? 'reserve_on_place' : 'take_on_payment';
    const skus = new Map<string, SkuDoc>();
    for (const item of request.items) {
      const d = await this.sku(item.sku);
      if (d) skus.set(item.sku, d);
    }
    request.items.forEach((item, i) => {
      if (!skus.has(item.sku)) throw unknownSku(item.sku, i);
    });
    const mine = take ? request.items : request.items.filter((i) => skus.get(i.sku)!.policy === policy);
    const claimId = typeof phase === 'object' ? `${request.orderId}|take:${phase.take}` : `${request.orderId}|hold:${phase}`;
    const existing = await this.holdDoc(request.orderId);
    // A hold belongs to the customer of its first unit taken (docs/inventory.md): one that took none yet names nobody.
    const customerId = existing !== null && existing.items.length > 0 ? existing.customerId : request.customerId;
    // 限购: per key, the count grows only while it stays within the limit.
    const byKey = new Map<string, { quantity: number; perCustomer: number; sku: string; index: number }>();
    // A unit joining the order's record of its SKU counts against the key that record has.
    const keyOf = (item: StockItem): string | null => {
      const d = skus.get(item.sku)!;
      const had = take ? existing?.items.find((i) => i.sku === item.sku) : undefined;
      if (had !== undefined) return had.limitKey;
      return d.perCustomer === undefined ? null : d.limitKey ?? d._id;
    };
    mine.forEach((item, index) => {
      const d = skus.get(item.sku)!;
      const key = keyOf(item);
      if (key === null) return;
      const had = byKey.get(key);
      const perCustomer = d.perCustomer ?? Number.MAX_SAFE_INTEGER;
      if (had) {
        had.quantity += item.quantity;
        had.perCustomer = Math.min(had.perCustomer, perCustomer);
      } else byKey.set(key, { quantity: item.quantity, perCustomer, sku: item.sku, index });
    });
    // The journal: every step this hold may take, written with the claim before any is taken.
    const steps: HoldStep[] = [
      ...[...byKey.keys()].map((key): HoldStep => ({ kind: 'limit', id: `${key}|${customerId}`, quantity: byKey.get(key)!.quantity })),
      ...mine.map((item): HoldStep => ({ kind: 'sku', id: item.sku, quantity: item.quantity })),
    ];
    const claim: ClaimDoc = { _id: claimId, state: 'taking', at: this.db.serverDate(), steps };
    if (!(await this.claim(claimId, claim))) {
      // A failed placement of this id that a crash cut short: finish its give-back, then hold anew.
      const before = await this.claimDoc(claimId);
      if (before?.state === 'abandoning' && retries > 0) {
        await this.finishAbandon(before);
        return this.hold(request, phase, retries - 1);
      }
      const held = await this.heldBy(request.orderId);
      return { orderId: request.orderId, held: held.filter((h) => mine.some((m) => m.sku === h.sku)), replayed: true };
    }
    const mark = markOf(claimId);
    const _ = this.db.command;
    let ownerMoved = false;
    try {
      for (const [key, want] of byKey) {
        const id = `${key}|${customerId}`;
        const limits = this.db.collection(this.names.limits);
        let taken = false;
        for (let tries = 0; tries < 3 && !taken; tries++) {
          if (!take && want.quantity > want.perCustomer) break;
          const res = await this.call(() =>
            (take ? limits.where({ _id: id }) : limits.where({ _id: id, held: _.lte(want.perCustomer - want.quantity) })).update({ data: { held: _.inc(want.quantity), marks: { [mark]: want.quantity } } }),
          );
          if (res.stats.updated === 1) taken = true;
          else {
            const { data } = await this.call(() => limits.where({ _id: id }).get());
            if (data.length > 0) break;
            try {
              await limits.add({ data: { _id: id, held: want.quantity, marks: { [mark]: want.quantity } } });
              taken = true;
            } catch (error) {
              if (!isDuplicateKey(error)) throw inventoryUnavailable(error);
            }
          }
        }
        if (!taken) {
          const { data } = await this.call(() => limits.where({ _id: id }).get());
          throw limitReached(want.sku, key, want.perCustomer, Number((data[0] as { held?: number } | undefined)?.held ?? 0), want.index);
        }
      }
      // Stock: the conditional decrement, marked with this hold in the same update.
      for (const [index, item] of mine.entries()) {
        const col = this.db.collection(this.names.skus);
        const res = await this.call(() =>
          col.where({ _id: item.sku, available: _.gte(item.quantity) }).update({ data: { available: _.inc(-item.quantity), held: _.inc(item.quantity), marks: { [mark]: item.quantity } } }),
        );
        if (res.stats.updated !== 1) {
          const now = await this.sku(item.sku);
          throw outOfStock(item.sku, item.quantity, now?.available ?? 0, index);
        }
      }
      let items: HoldDoc['items'] = [];
      // The hold and the claim's `held` in one transaction: either the hold counts, or recovery
      // gives every marked unit back (never both). A hold rewritten to a pseudonym meanwhile
      // (docs/privacy.md) counted against another customer: this one is given back and taken again.
      await this.contended(() =>
        this.db.runTransaction(async (tx) => {
          const { data } = (await tx.collection(this.names.ops).doc(claimId).get()) as { data: Partial<ClaimDoc> };
          if (data.state !== 'taking') throw Object.assign(new Error(`hold ${claimId} was recovered meanwhile`), { holdAborted: true });
          const now = await txRead<HoldDoc>(tx, this.names.holds, request.orderId);
          if (now !== null && now.items.length > 0 && now.customerId !== customerId) {
            ownerMoved = true;
            throw new Error(`the hold of ${request.orderId} changed owner meanwhile`);
          }
          items = (now?.items ?? []).map((i) => ({ ...i }));
          for (const item of mine) {
            const d = skus.get(item.sku)!;
            const same = items.find((i) => i.sku === item.sku);
            if (same) same.quantity += item.quantity;
            else items.push({ sku: item.sku, quantity: item.quantity, limitKey: take ? keyOf(item) : d.perCustomer === undefined ? null : d.limitKey ?? d._id });
          }
          await tx.collection(this.names.holds).doc(request.orderId).set({ data: { customerId, items } });
          await tx.collection(this.names.ops).doc(claimId).update({ data: { state: 'held' } });
        }),
      );
      // Tidy: the marks are no longer needed (recovery tidies them too when this is cut short).
      await this.settle(claimId, steps, 'clear')
        .then(() => this.db.collection(this.names.ops).where({ _id: claimId, state: 'held' }).update({ data: { state: 'done', steps: _.remove() } }))
        .catch(() => undefined);
      return { orderId: request.orderId, held: items.filter((i) => mine.some((m) => m.sku === i.sku)).map((i) => ({ sku: i.sku, quantity: i.quantity })), replayed: false };
    } catch (error) {
      // Everything this hold marked goes back (a step whose answer was lost included); should
      // that fail too, the claim stays `taking` and `recover()` finishes it after the lease.
      try {
        await this.settle(claimId, steps, 'undo');
        await this.unclaim(claimId);
      } catch {
        // left to recover()
        throw error;
      }
      if (ownerMoved && retries > 0) return this.hold(request, phase, retries - 1);
      throw error;
    }
  }

  /**
   * Gives back, or only unmarks, every step of a hold that is still marked with it. Each step is one
   * conditional update on the marked record, so a repeat (two recoveries, a retry) moves nothing.
   */
  private async settle(claimId: string, steps: readonly HoldStep[], how: 'undo' | 'clear'): Promise<void> {
    const mark = markOf(claimId);
    const _ = this.db.command;
    for (const step of steps) {
      const col = this.db.collection(step.kind === 'sku' ? this.names.skus : this.names.limits);
      const data: Record<string, unknown> = { marks: { [mark]: _.remove() } };
      if (how === 'undo') {
        data['held'] = _.inc(-step.quantity);
        if (step.kind === 'sku') data['available'] = _.inc(step.quantity);
      }
      await this.call(() => col.where({ _id: step.id, marks: { [mark]: _.exists(true) } }).update({ data }));
      // A customer's 限购 record given back to zero goes: none names a customer who holds nothing
      // (docs/privacy.md). Conditional, so a count another hold has just raised stays.
      if (how === 'undo' && step.kind === 'limit') await this.call(() => col.where({ _id: step.id, held: 0 }).remove());
    }
  }

  /**
   * Finishes holds that a crash (or a lost connection) cut short, once their lease has passed: a
   * hold still `taking` gives back every unit it marked and frees its claim (all or nothing); one
   * already `held` only loses its marks. Called by `reconcile()`, which the service runs at every
   * sweep. Answers how many holds it gave back.
   */
  async recover(): Promise<number> {
    const _ = this.db.command;
    const ops = this.db.collection(this.names.ops);
    const before = this.db.serverDate({ offset: -this.leaseMs });
    let undone = 0;
    for (;;) {
      const { data } = await this.call(() => ops.where({ state: _.in(['taking', 'aborting', 'held', 'abandoning', 'lowering']), at: _.lt(before) }).limit(100).get());
      if (data.length === 0) return undone;
      for (const doc of data as ClaimDoc[]) {
        if (doc.state === 'lowering') {
          await this.finishLowering(doc._id);
          continue;
        }
        if (doc.state === 'abandoning') {
          await this.finishAbandon(doc);
          continue;
        }
        if (doc.state === 'held') {
          await this.tidy(doc);
          continue;
        }
        if (doc.state === 'taking') {
          const res = await this.call(() => ops.where({ _id: doc._id, state: 'taking' }).update({ data: { state: 'aborting' } }));
          if (res.stats.updated !== 1) continue;
        }
        await this.settle(doc._id, doc.steps ?? [], 'undo');
        await this.call(() => ops.where({ _id: doc._id, state: 'aborting' }).remove());
        undone += 1;
      }
    }
  }

  /** A hold that counts: its marks go, and its claim is `done` without its steps. */
  private async tidy(doc: ClaimDoc): Promise<void> {
    await this.settle(doc._id, doc.steps ?? [], 'clear');
    await this.call(() => this.db.collection(this.names.ops).where({ _id: doc._id, state: 'held' }).update({ data: { state: 'done', steps: this.db.command.remove() } }));
  }

  /**
   * Personal data (docs/privacy.md "The inventory"): per order, one transaction rewrites the hold
   * to the pseudonym and moves the units it counts from the customer's 限购 records to the
   * pseudonym's (a customer's record left at zero is removed). A concurrent write to any of those
   * records aborts the transaction, which is run again. Then the order's claims still listing
   * their steps (which name the customer's records) are tidied, as `recover()` tidies them.
   */
  async redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    let done = 0;
    for (const r of redactions) {
      if (r.pseudonym === r.customerId) continue;
      const limits = this.names.limits;
      const rewritten = await this.contended(() =>
        this.db.runTransaction(async (tx) => {
          const hold = await txRead<HoldDoc>(tx, this.names.holds, r.orderId);
          if (hold === null || hold.customerId !== r.customerId) return false;
          const units = new Map<string, number>();
          for (const i of hold.items) if (i.limitKey !== null) units.set(i.limitKey, (units.get(i.limitKey) ?? 0) + i.quantity);
          await tx.collection(this.names.holds).doc(r.orderId).update({ data: { customerId: r.pseudonym } });
          for (const [key, q] of units) {
            const fromId = `${key}|${r.customerId}`;
            const from = await txRead<{ held?: number; marks?: Record<string, number> }>(tx, limits, fromId);
            const held = Number(from?.held ?? 0);
            const n = Math.min(held, q);
            if (from !== null && held - n === 0 && Object.keys(from.marks ?? {}).length === 0) await tx.collection(limits).doc(fromId).remove();
            else if (n > 0) await tx.collection(limits).doc(fromId).update({ data: { held: held - n } });
            if (n === 0) continue;
            const toId = `${key}|${r.pseudonym}`;
            const to = await txRead<{ held?: number }>(tx, limits, toId);
            if (to === null) await tx.collection(limits).doc(toId).set({ data: { held: n } });
            else await tx.collection(limits).doc(toId).update({ data: { held: Number(to.held ?? 0) + n } });
          }
          return true;
        }),
      );
      if (!rewritten) continue;
      done += 1;
      for (const phase of ['reserve', 'commit']) {
        const { data } = await this.call(() => this.db.collection(this.names.ops).where({ _id: `${r.orderId}|hold:${phase}` }).get());
        const claim = data[0] as ClaimDoc | undefined;
        if (claim?.state === 'held') await this.tidy(claim);
      }
    }
    return done;
  }

  /** See `recover()`. */
  async reconcile(): Promise<void> {
    await this.recover();
  }

  /**
   * The claim of the key and the hold's new items in one transaction: two give-backs of one order
   * at once (other keys) each take what the other left, never the same units twice; the same key
   * twice gives back once. The claim lists the counts to lower (`lowering`), and each goes down in a
   * transaction that also records it on the claim (`finishLowering`), so a function that dies
   * before all have gone down leaves the rest to the next call with the same key or to `recover()`
   * after the lease, and none goes down twice.
   */
  private async giveBack(request: GiveBackRequest, restock: boolean): Promise<StockItem[]> {
    const claimId = `${request.orderId}|give:${request.key}`;
    const skus = new Map<string, SkuDoc>();
    for (const want of request.items) {
      const d = await this.sku(want.sku);
      if (d) skus.set(want.sku, d);
    }
    const _ = this.db.command;
    const done = await this.contended(() =>
      this.db.runTransaction(async (tx): Promise<{ seen: ClaimDoc } | { out: StockItem[] } | null> => {
        const seen = await txRead<ClaimDoc>(tx, this.names.ops, claimId);
        if (seen !== null) return { seen };
        const hold = await txRead<HoldDoc>(tx, this.names.holds, request.orderId);
        const out: StockItem[] = [];
        const steps: HoldStep[] = [];
        const items = (hold?.items ?? []).map((i) => ({ ...i }));
        for (const want of request.items) {
          const h = items.find((i) => i.sku === want.sku);
          const d = skus.get(want.sku);
          if (!h || h.quantity <= 0 || !d || (restock && !d.restock)) continue;
          const n = Math.min(h.quantity, want.quantity);
          h.quantity -= n;
          out.push({ sku: want.sku, quantity: n });
          if (h.limitKey !== null) steps.push({ kind: 'limit', id: `${h.limitKey}|${hold!.customerId}`, quantity: n });
          steps.push({ kind: 'sku', id: want.sku, quantity: n });
        }
        if (out.length === 0) {
          await tx.collection(this.names.ops).add({ data: { _id: claimId } });
          return null;
        }
        await tx.collection(this.names.ops).add({ data: { _id: claimId, state: 'lowering', at: this.db.serverDate(), steps, lowered: [] } });
        await tx.collection(this.names.holds).doc(request.orderId).update({ data: { items: _.set(items) } });
        return { out };
      }),
    );
    if (done === null) return [];
    if ('seen' in done) {
      // The same key again: a give-back cut short before its counts went down is finished now.
      if (done.seen.state === 'lowering') await this.finishLowering(claimId);
      return [];
    }
    await this.finishLowering(claimId);
    return done.out;
  }

  /**
   * Lowers each count a give-back's claim lists, one transaction per count that also records it on
   * the claim (`lowered`), so a count goes down once however many functions finish the claim, and
   * a stale one finds it recorded. The last one marks the claim `done`; then the customer's 限购
   * records left at zero go (docs/privacy.md: none names a customer holding nothing, nor one whose
   * hold was rewritten to a pseudonym after the give-back read it).
   */
  private async finishLowering(claimId: string): Promise<void> {
    const _ = this.db.command;
    const first = await this.claimDoc(claimId);
    const steps = first?.steps ?? [];
    for (let i = 0; i < steps.length && first?.state === 'lowering'; i++) {
      const step = steps[i]!;
      const collection = step.kind === 'sku' ? this.names.skus : this.names.limits;
      await this.contended(() =>
        this.db.runTransaction(async (tx) => {
          const claim = await txRead<ClaimDoc>(tx, this.names.ops, claimId);
          const lowered = claim?.lowered ?? [];
          if (claim === null || claim.state !== 'lowering' || lowered.includes(i)) return;
          const record = await txRead<{ held?: number }>(tx, collection, step.id);
          if (record !== null) {
            const data: Record<string, unknown> = { held: _.inc(-step.quantity) };
            if (step.kind === 'sku') data['available'] = _.inc(step.quantity);
            await tx.collection(collection).doc(step.id).update({ data });
          }
          const all = lowered.length + 1 === steps.length;
          await tx.collection(this.names.ops).doc(claimId).update({ data: all ? { state: 'done', steps: _.remove(), lowered: _.remove() } : { lowered: _.set([...lowered, i]) } });
        }),
      );
    }
    for (const step of steps) {
      if (step.kind === 'limit') await this.call(() => this.db.collection(this.names.limits).where({ _id: step.id, held: 0 }).remove());
    }
  }

  /**
   * A transaction that other writers of the same records may make conflict: run again after a
   * jittered pause while it conflicts, for up to `CONTENDED_TRIES` runs.
   */
  private async contended<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (isInventoryError(error)) throw error;
        if (classifyCloudError(error).kind !== 'conflict' || attempt + 1 >= CONTENDED_TRIES) throw inventoryUnavailable(error);
        await backoff(attempt);
      }
    }
  }


}
