import { checkGiveBack, checkHold, checkSetup, checkTake, limitKeyOf } from './check.js';
import { limitReached, outOfStock, unknownSku } from './errors.js';
import { placeWithHold } from './place-with-hold.js';
import { addDoubts, allInDoubtBefore, doubtOf, earliestDoubt, type DoubtNote, type PlacementDoubt } from '../storage/placement.js';
import type { PersonalDataRedaction, PlacementInDoubt, PlacementOutcome } from '../storage/port.js';
import type { GiveBackRequest, HoldRequest, HoldResult, InventoryPort, PurchaseLimit, SkuSetup, StockItem, StockLevel, StockPolicy, TakeRequest } from './types.js';

interface Sku {
  available: number;
  held: number;
  policy: StockPolicy;
  limit?: Required<PurchaseLimit>;
  restockOnReturn: boolean;
}
interface Hold {
  customerId: string;
  /** per SKU: units held, and the limit key they count against (null: no limit) */
  items: Map<string, { quantity: number; limitKey: string | null }>;
  phases: Set<'reserve' | 'commit'>;
  /** Placements of this order id that joined the reservation and have not left (`placeWith`). */
  joined?: Set<string>;
  /** The placement that reserved has failed and left. */
  left?: boolean;
  /** Placements that ended in doubt, by token ('' for the one that reserved; `placeWith`). */
  doubts?: Map<string, PlacementDoubt>;
}

/**
 * The in-memory inventory, for tests and single-process tools. Every method runs to its end before
 * another starts (no await inside), so each hold is atomic with its limit check.
 *
 * @example
 * const inventory = new MemoryInventory();
 * await inventory.configure({ sku: 'TEA', available: 100, limit: { perCustomer: 1 } });
 * await inventory.reserve({ orderId: 'o1', customerId: 'u1', items: [{ sku: 'TEA', quantity: 1 }] });
 */
export class MemoryInventory implements InventoryPort {
  private readonly skus = new Map<string, Sku>();
  private readonly holds = new Map<string, Hold>();
  private readonly limits = new Map<string, number>();
  private readonly keys = new Set<string>();
  /** Placements given back after a failed create, numbering their give-back keys. */
  private abandoned = 0;

  async configure(setup: SkuSetup): Promise<void> {
    const s = checkSetup(setup);
    const old = this.skus.get(s.sku);
    const sku: Sku = { available: s.available, held: old?.held ?? 0, policy: s.policy, restockOnReturn: s.restockOnReturn };
    if (s.limit) sku.limit = { perCustomer: s.limit.perCustomer, key: limitKeyOf(s.sku, s.limit) };
    this.skus.set(s.sku, sku);
  }

  async level(sku: string): Promise<StockLevel | null> {
    const s = this.skus.get(sku);
    if (!s) return null;
    return { sku, available: s.available, held: s.held, policy: s.policy, restockOnReturn: s.restockOnReturn, ...(s.limit ? { limit: { ...s.limit } } : {}) };
  }

  async heldBy(orderId: string): Promise<StockItem[]> {
    const hold = this.holds.get(orderId);
    if (!hold) return [];
    const out: StockItem[] = [];
    for (const [sku, h] of hold.items) if (h.quantity > 0) out.push({ sku, quantity: h.quantity });
    return out;
  }

  async reserve(request: HoldRequest): Promise<HoldResult> {
    return this.hold(checkHold(request), 'reserve');
  }

  async commit(request: HoldRequest & { attempt: string }): Promise<HoldResult> {
    return this.hold(checkHold(request), 'commit');
  }

  async release(request: GiveBackRequest): Promise<StockItem[]> {
    return this.giveBack(checkGiveBack(request), false);
  }

  async restock(request: GiveBackRequest): Promise<StockItem[]> {
    return this.giveBack(checkGiveBack(request), true);
  }

  /**
   * 换货: the replacement units join the order's hold, all or nothing, once per (order, key).
   * Synchronous, so the stock check and the take are one step.
   */
  async take(request: TakeRequest): Promise<StockItem[]> {
    const r = checkTake(request);
    const mark = `${r.orderId}\u0000${r.key}`;
    if (this.keys.has(mark)) return [];
    r.items.forEach((item, i) => {
      const sku = this.skus.get(item.sku);
      if (!sku) throw unknownSku(item.sku, i);
      if (sku.available < item.quantity) throw outOfStock(item.sku, item.quantity, sku.available, i);
    });
    this.keys.add(mark);
    let hold = this.holds.get(r.orderId);
    if (!hold) {
      hold = { customerId: r.customerId, items: new Map(), phases: new Set() };
      this.holds.set(r.orderId, hold);
    }
    for (const item of r.items) {
      const sku = this.skus.get(item.sku)!;
      sku.available -= item.quantity;
      sku.held += item.quantity;
      const h = hold.items.get(item.sku);
      const limitKey = h ? h.limitKey : (sku.limit?.key ?? null);
      if (limitKey !== null) this.limits.set(`${limitKey}\u0000${hold.customerId}`, (this.limits.get(`${limitKey}\u0000${hold.customerId}`) ?? 0) + item.quantity);
      if (h) h.quantity += item.quantity;
      else hold.items.set(item.sku, { quantity: item.quantity, limitKey });
    }
    return r.items.map((item) => ({ ...item }));
  }

  /**
   * Moves each order's hold, and the units it counts against the customer's limits, to the
   * pseudonym (docs/privacy.md "The inventory"). Synchronous, so atomic per call.
   */
  async redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    let done = 0;
    for (const r of redactions) {
      const hold = this.holds.get(r.orderId);
      if (!hold || hold.customerId !== r.customerId || r.pseudonym === r.customerId) continue;
      for (const h of hold.items.values()) {
        if (h.limitKey === null) continue;
        const from = `${h.limitKey}\u0000${r.customerId}`;
        const to = `${h.limitKey}\u0000${r.pseudonym}`;
        const n = Math.min(h.quantity, this.limits.get(from) ?? 0);
        if (n > 0) this.limits.set(to, (this.limits.get(to) ?? 0) + n);
        const left = (this.limits.get(from) ?? 0) - n;
        if (left > 0) this.limits.set(from, left);
        else this.limits.delete(from);
      }
      hold.customerId = r.pseudonym;
      done += 1;
    }
    return done;
  }

  /**
   * Reserve, create, and on a failed create give back only what this call took; a second placement
   * of the id joins the reservation, and the last to fail gives it back (./place-with-hold.ts).
   */
  placeWith<T>(request: HoldRequest, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    return placeWithHold(
      this,
      request,
      create,
      async (token) => this.abandon(request.orderId, request.items, token),
      async (r, token) => this.join(r, token),
      async (token, note) => this.doubt(request.orderId, token, note),
    );
  }

  /** Order ids with a placement in doubt since `before` or earlier (docs/inventory.md "Placements left in doubt"). */
  async placementsInDoubt(before: Date): Promise<PlacementInDoubt[]> {
    const byOrder = new Map<string, PlacementInDoubt>();
    for (const [orderId, hold] of this.holds) {
      if (hold.doubts && earliestDoubt(hold.doubts.values()) <= before.getTime()) addDoubts(byOrder, orderId, hold.doubts.values());
    }
    return [...byOrder.values()];
  }

  /**
   * `created`: the doubt is forgotten, the units stay. `absent`: every placement still holding the
   * units ended in doubt by `before`, so each leaves as a failed one would, and the units go back.
   * Synchronous, so the check and the give-back are one step.
   */
  async settleInDoubt(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean> {
    const hold = this.holds.get(orderId);
    if (!hold?.doubts) return false;
    if (outcome === 'created') {
      delete hold.doubts;
      return false;
    }
    if (!hold.phases.has('reserve') || !allInDoubtBefore(hold.left, hold.joined, hold.doubts, before.getTime())) return false;
    const items = [...hold.items].map(([sku, h]) => ({ sku, quantity: h.quantity }));
    let back = false;
    for (const token of [...hold.doubts.keys()]) back = this.abandon(orderId, items, token === '' ? null : token) || back;
    return back;
  }

  /** A placement that kept its units because its order may exist: recorded for the sweep. */
  private doubt(orderId: string, token: string | null, note: DoubtNote): void {
    const hold = this.holds.get(orderId);
    if (!hold?.phases.has('reserve')) return;
    (hold.doubts ??= new Map()).set(token ?? '', doubtOf(note));
  }

  /** One more placement in flight holds the reservation; false when there is none to join. */
  private join(request: HoldRequest, token: string): boolean {
    const hold = this.holds.get(request.orderId);
    if (!hold?.phases.has('reserve')) return false;
    (hold.joined ??= new Set()).add(token);
    return true;
  }

  /**
   * A placement that failed leaves the reservation (`null`: the one that reserved); once all have
   * left, the units go back and the reservation is forgotten (the id may reserve again).
   */
  private abandon(orderId: string, items: StockItem[], token: string | null): boolean {
    const hold = this.holds.get(orderId);
    if (!hold) return false;
    if (token === null) hold.left = true;
    else hold.joined?.delete(token);
    hold.doubts?.delete(token ?? '');
    if (hold.left !== true || (hold.joined?.size ?? 0) > 0) return false;
    delete hold.left;
    delete hold.joined;
    delete hold.doubts;
    this.giveBack({ orderId, key: `placement-failed:${++this.abandoned}`, items }, false);
    hold.phases.delete('reserve');
    if (hold.phases.size === 0) this.holds.delete(orderId);
    return true;
  }

  private hold(request: HoldRequest, phase: 'reserve' | 'commit'): HoldResult {
    const existing = this.holds.get(request.orderId);
    const policy: StockPolicy = phase === 'reserve' ? 'reserve_on_place' : 'take_on_payment';
    request.items.forEach((item, i) => {
      if (!this.skus.has(item.sku)) throw unknownSku(item.sku, i);
    });
    if (existing?.phases.has(phase) || (phase === 'commit' && existing?.phases.has('commit'))) {
      return { orderId: request.orderId, held: this.heldOf(existing, request.items, policy), replayed: true };
    }
    // A hold belongs to the customer of its first unit taken (docs/inventory.md): one that took none yet names nobody.
    const customerId = existing !== undefined && existing.items.size > 0 ? existing.customerId : request.customerId;
    const taking = request.items.filter((item) => this.skus.get(item.sku)!.policy === policy);
    const byKey = new Map<string, number>();
    taking.forEach((item, i) => {
      const sku = this.skus.get(item.sku)!;
      if (sku.available < item.quantity) throw outOfStock(item.sku, item.quantity, sku.available, i);
      if (sku.limit) {
        const key = sku.limit.key;
        const wanted = (byKey.get(key) ?? 0) + item.quantity;
        const had = this.limits.get(`${key}\u0000${customerId}`) ?? 0;
        if (had + wanted > sku.limit.perCustomer) throw limitReached(item.sku, key, sku.limit.perCustomer, had, i);
        byKey.set(key, wanted);
      }
    });
    const hold: Hold = existing ?? { customerId, items: new Map(), phases: new Set() };
    if (taking.length > 0) hold.customerId = customerId;
    for (const item of taking) {
      const sku = this.skus.get(item.sku)!;
      sku.available -= item.quantity;
      sku.held += item.quantity;
      const limitKey = sku.limit?.key ?? null;
      if (limitKey !== null) this.limits.set(`${limitKey}\u0000${customerId}`, (this.limits.get(`${limitKey}\u0000${customerId}`) ?? 0) + item.quantity);
      const h = hold.items.get(item.sku);
      if (h) h.quantity += item.quantity;
      else hold.items.set(item.sku, { quantity: item.quantity, limitKey });
    }
    hold.phases.add(phase);
    this.holds.set(request.orderId, hold);
    return { orderId: request.orderId, held: this.heldOf(hold, request.items, policy), replayed: false };
  }

  private heldOf(hold: Hold, items: StockItem[], policy: StockPolicy): StockItem[] {
    const out: StockItem[] = [];
    for (const item of items) {
      const h = hold.items.get(item.sku);
      if (h && h.quantity > 0 && this.skus.get(item.sku)?.policy === policy) out.push({ sku: item.sku, quantity: h.quantity });
    }
    return out;
  }

  private giveBack(request: GiveBackRequest, restock: boolean): StockItem[] {
    const mark = `${request.orderId}\u0000${request.key}`;
    if (this.keys.has(mark)) return [];
    this.keys.add(mark);
    const hold = this.holds.get(request.orderId);
    if (!hold) return [];
    const out: StockItem[] = [];
    for (const item of request.items) {
      const h = hold.items.get(item.sku);
      const sku = this.skus.get(item.sku);
      if (!h || !sku || (restock && !sku.restockOnReturn)) continue;
      const n = Math.min(h.quantity, item.quantity);
      if (n <= 0) continue;
      h.quantity -= n;
      sku.available += n;
      sku.held -= n;
      if (h.limitKey !== null) {
        // A counter back at zero goes: none is kept that names a customer holding nothing.
        const counter = `${h.limitKey}\u0000${hold.customerId}`;
        const left = (this.limits.get(counter) ?? 0) - n;
        if (left > 0) this.limits.set(counter, left);
        else this.limits.delete(counter);
      }
      out.push({ sku: item.sku, quantity: n });
    }
    return out;
  }
}
