import { OrderkitError } from '../errors/orderkit-error.js';
import { placeOrder, type PlaceOrderInput } from '../lifecycle/place-order.js';
import { defaultPolicy } from '../order/policy.js';
import { defaultLifecycle } from '../lifecycle/transition.js';
import { unstorablePath, type Actor, type Command, type Effect, type Order } from '../order/index.js';
import { isActor } from '../order/actor.js';
import { OrderNotFoundError, STORAGE_ERROR_CODES, isVersionConflict } from '../storage/errors.js';
import { defaultIds, randomPickupCode, systemClock } from './defaults.js';
import { orderBusy, retriesExhausted, unsupported } from './errors.js';
import { dispatchScope, placeScope, replayOf, requestToStore, type IdempotencyScope } from './idempotency.js';
import { OrderQueue } from './order-queue.js';
import { HotOrders } from './hot-orders.js';
import { backoffMs, isCallback, type RetryPolicy } from './retry.js';
import { drainOutbox } from './outbox.js';
import { strayPaymentFor } from '../lifecycle/rules/stray-payment.js';
import { sweep } from './sweep.js';
import { applyStockEffect, applyStockEffects, applyTakeEffect, holdTaking, isInventoryError, OUT_OF_STOCK_REASON, placeWithStock, STOCK_ACTOR, stockItemsOf, takeAtPayment, takeBeforeCommit } from './stock.js';
import { createFindingOut } from './finding-out.js';
import { checkPlacementGrace } from './placement-recovery.js';
import type { AnyCommandInput, EffectHandlers, ServiceTransitionResult, DispatchOptions, OrderService, OrderServiceOptions, PlaceInput, PlaceOptions, ServiceLifecycle, ServiceResult } from './types.js';
import { ok, fail } from '../errors/result.js';
import { applyBalanceCredit, BALANCE_ACTOR, balanceCredits, balanceDebitOf, debitTaking, isBalanceError, noBalancePort, placeWithBalance } from './balance.js';

const NUMBER_ATTEMPTS = 3;

/** A lifecycle's result with the order typed as stored (an extension's statuses are strings the store keeps as they are). */
type ServiceTransitionResultOf<T> = Exclude<ServiceTransitionResult, { ok: true }> | (Extract<ServiceTransitionResult, { ok: true }> & { order: T });

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? ((error as { code?: unknown }).code as string | undefined) : undefined;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function noPickupCodeSource(): OrderkitError {
  return new OrderkitError({
    code: 'PICKUP_CODE_SOURCE_MISSING',
    message: {
      'zh-CN': '此运行环境没有加密随机数来源，无法生成自提码：请传入 pickupCode，或在 createOrderService 的 ids.pickupCode 中提供',
      en: 'no cryptographic random source here to draw a pickup code: pass pickupCode, or give createOrderService ids.pickupCode',
    },
    path: ['pickupCode'],
  });
}

/** A pickup order (a quote priced for pickup, or a pickup choice with a cart) gets a code drawn here. */
function wantsPickupCode(input: PlaceInput): boolean {
  const i = input as { quote?: { delivery?: { mode?: unknown } }; delivery?: { mode?: unknown } };
  return i.quote?.delivery?.mode === 'pickup' || i.delivery?.mode === 'pickup';
}

/**
 * The order service: the one place where orders are loaded, changed by the lifecycle and
 * committed. Every write is compare-and-set; on a conflict it reloads and applies the command
 * again, so concurrent callbacks, clicks and timers never lose an update. Domain refusals come
 * back as `{ ok: false, error }`; only infrastructure failures (and corrupt rows) throw.
 *
 * @example
 * const service = createOrderService({ store: new MemoryOrderStore() });
 * const placed = await service.place({ customerId: 'u1', quote });
 * if (placed.ok) await service.dispatch(placed.order.id, { type: 'CANCEL' }, { type: 'customer', id: 'u1' });
 */
export function createOrderService(options: OrderServiceOptions): OrderService {
  const store = options.store;
  checkPlacementGrace(options.placementGraceMs);
  const policy = options.policy ?? defaultPolicy;
  const clock = options.clock ?? systemClock;
  const ids = defaultIds(policy.timeZone, options.ids);
  const retry: RetryPolicy = {
    maxRetries: options.maxRetries ?? 32,
    baseMs: options.retryDelayMs ?? 2,
    capMs: options.retryMaxDelayMs ?? 100,
    callbackRetryMs: options.callbackRetryMs ?? 30_000,
  };
  const queue = new OrderQueue();
  /** Keyed placements, one at a time per (derived) key. */
  const placements = new OrderQueue();
  const lifecycle: ServiceLifecycle = options.lifecycle ?? defaultLifecycle;
  const parse = (lifecycle.parse ?? defaultLifecycle.parse).bind(lifecycle);
  const recordStray = options.recordStrayPayments !== false;
  const inventory = options.inventory;
  const balance = options.balance;
  /** Orders `get` returned: only these are taken as `DispatchOptions.loaded`. */
  // Each order `get` hands out, with the order as it was read (its JSON text): a caller that changed
  // its object meanwhile (masked a phone for a view, say) cannot have that change decided on and
  // written. Orders are JSON documents (docs/storage.md), so the text is the whole order.
  const handedOut = new WeakMap<Order, string>();
  async function get(orderId: string): Promise<Order | null> {
    const order = await store.load(orderId);
    if (order !== null) handedOut.set(order, JSON.stringify(order));
    return order;
  }
  /** The order as `get` read it, when the caller's object is one `get` returned for this order (see `DispatchOptions.loaded`). */
  function loadedCopy(orderId: string, dispatchOptions: DispatchOptions): Order | undefined {
    const loaded = dispatchOptions.loaded;
    const text = loaded === undefined ? undefined : handedOut.get(loaded);
    return text !== undefined && loaded!.id === orderId ? (JSON.parse(text) as Order) : undefined;
  }

  /**
   * After a commit: the balance credits its effects ask for, at once, and each credit's ledger
   * entry marked succeeded (REFUND_SUCCEEDED from the `balance` gateway). A failure loses nothing:
   * the effects wait in the outbox, whose `balance.credit` handler does the same.
   */
  async function applyCredits(at: Date | undefined, effects: readonly Effect[]): Promise<void> {
    if (!balance) return;
    for (const effect of balanceCredits(effects)) {
      try {
        await creditAndSettle(at, effect);
      } catch {
        // left to the outbox (see above)
      }
    }
  }

  async function creditAndSettle(at: Date | undefined, effect: Extract<Effect, { type: 'balance.credit' }>): Promise<void> {
    await applyBalanceCredit(balance!, effect);
    if (effect.refundId === undefined) return;
    const done = await dispatchNow(at, effect.orderId, { type: 'REFUND_SUCCEEDED', refundId: effect.refundId, amount: effect.amount }, BALANCE_ACTOR, {});
    if (!done.ok && done.error.code !== 'ORDER_NOT_FOUND') throw done.error;
  }

  /**
   * After any commit, alone or in a chain: the stock its effects give back and the balance credits
   * they ask for, at once (each idempotent by its key; a failure waits in the outbox).
   */
  async function afterCommit(at: Date | undefined, effects: readonly Effect[]): Promise<void> {
    if (inventory) await applyStockEffects(inventory, effects);
    await applyCredits(at, effects);
  }

  function dispatch(orderId: string, input: AnyCommandInput, actor: Actor, dispatchOptions: DispatchOptions = {}): Promise<ServiceResult> {
    return dispatchAt(undefined, orderId, input, actor, dispatchOptions);
  }

  /**
   * Commands of one order wait for each other in this instance (docs/storage.md, "Concurrency").
   * Those that queue up behind a running one (without idempotency keys) leave together: one load,
   * their transitions one after another, one commit of all their versions (`hotOrders`).
   */
  function dispatchAt(
    at: Date | undefined,
    orderId: string,
    input: AnyCommandInput,
    actor: Actor,
    dispatchOptions: DispatchOptions = {},
  ): Promise<ServiceResult> {
    const id = String(orderId);
    // A payment takes stock before its commit when the service has an inventory (付款减库存, and the
    // hold made at placement committed): it is written alone, like a command with a key. Any command
    // of the payment gateway may be one (a flow's own, such as 预售's PAY_DEPOSIT: ./stock.ts).
    // So is a SHIP_EXCHANGE: it takes the replacement from stock before its commit (docs/inventory.md "Exchanges").
    const inputType = (input as { type?: unknown } | null)?.type;
    const takesStock = inventory !== undefined && (inputType === 'PAYMENT_SUCCEEDED' || inputType === 'SHIP_EXCHANGE' || (actor as { type?: unknown } | null)?.type === 'payment');
    if (dispatchOptions.idempotencyKey === undefined && hotOrders !== null && !takesStock) {
      // The caller's object as given: dispatchNow takes the order as `get` read it (loadedCopy).
      const loaded = dispatchOptions.loaded;
      return hotOrders.join(id, { at, orderId, input, actor, ...(loaded ? { loaded } : {}) });
    }
    hotOrders?.close(id);
    return queue.run(id, () => dispatchNow(at, orderId, input, actor, dispatchOptions));
  }

  /** The command and actor checked, or the refusal a dispatch answers with before loading anything. */
  function checkDispatch(input: AnyCommandInput, actor: Actor): { ok: true; command: Command } | Exclude<ServiceResult, { ok: true }> {
    // The lifecycle's own list decides what a command is: a shop's PICKED_UP is as welcome as SHIP.
    const parsed = parse(input);
    if (!parsed.ok) return parsed;
    if (!isActor(actor) || unstorablePath(actor) !== null) {
      return fail(new OrderkitError({ code: 'INVALID_ACTOR', message: { 'zh-CN': '操作人（actor）格式不正确', en: 'invalid actor' }, path: ['actor'] }));
    }
    return { ok: true, command: parsed.command as Command };
  }

  /** The lifecycle's answer to a command on a loaded order; verified money that cannot pay it becomes a stray payment. */
  function decide(order: Order, command: Command, actor: Actor, at: Date | undefined): { result: ServiceTransitionResultOf<Order>; stray?: { code: string } } {
    const ctx = { now: at ?? clock.now(), actor, policy };
    const result = lifecycle.transition(order, command, ctx) as ServiceTransitionResultOf<Order>;
    if (!result.ok && recordStray) {
      // Verified money that cannot pay the order is recorded and refunded, never dropped.
      const strayCommand = strayPaymentFor(order, command, actor, result.error);
      const recorded = strayCommand === undefined ? undefined : (lifecycle.transition(order, strayCommand, ctx) as ServiceTransitionResultOf<Order>);
      if (recorded !== undefined && recorded.ok) return { result: recorded, stray: { code: result.error.code } };
    }
    return { result };
  }

  const hotOrders =
    store.commitChain === undefined
      ? null
      : new HotOrders(queue, {
          check: checkDispatch,
          load: (orderId) => store.load(orderId),
          decide,
          commitChain: (inputs) => store.commitChain!(inputs),
          afterCommit: (item, effects) => afterCommit(item.at, effects),
          alone: (item) => dispatchNow(item.at, item.orderId, item.input, item.actor, item.loaded ? { loaded: item.loaded } : {}),
        });

  async function dispatchNow(
    at: Date | undefined,
    orderId: string,
    input: AnyCommandInput,
    actor: Actor,
    dispatchOptions: DispatchOptions,
  ): Promise<ServiceResult> {
    const checked = checkDispatch(input, actor);
    if (!checked.ok) return checked;
    const command = checked.command;
    // Keys are scoped to (actor, order, caller's key) and checked against the request: ./idempotency.ts
    const scope = dispatchOptions.idempotencyKey === undefined ? undefined : dispatchScope(actor, orderId, dispatchOptions.idempotencyKey, command);
    const callback = isCallback(command, actor);
    const started = Date.now();
    // The caller's fresh read serves the first attempt; a conflict reads the order again.
    let loaded = loadedCopy(String(orderId), dispatchOptions);
    for (let attempt = 0; ; attempt++) {
      if (scope !== undefined) {
        const record = await store.findIdempotency(scope.key);
        if (record) return replayOf(record, scope, actor, lifecycle.permissions);
      }
      const order = loaded ?? (await store.load(orderId));
      loaded = undefined;
      if (!order) return fail(new OrderNotFoundError(orderId));
      const { result, stray } = decide(order, command, actor, at);
      if (!result.ok) return result;
      if (result.changed === false) {
        // An accepted no-op (a repeated payment notification): nothing to write, nothing to tell.
        return ok({ order: result.order, events: [], effects: [], changed: false, replayed: false, ...(stray ? { strayPayment: stray } : {}) });
      }
      // 换货: the replacement is taken before the commit; no stock (or no inventory) and nothing is written.
      const notTaken = inventory ? await takeBeforeCommit(inventory, order, result.effects) : null;
      if (notTaken) return fail(notTaken);
      const noStock = inventory ? await takeAtPayment(inventory, order, result.order, command) : null;
      try {
        await store.commit({
          order: result.order,
          expectedVersion: order.version,
          events: result.events,
          effects: result.effects,
          ...(scope !== undefined ? { idempotencyKey: scope.key, idempotencyRequest: requestToStore(scope, stray) } : {}),
        });
        await afterCommit(at, result.effects);
        if (noStock) {
          // 付款减库存 and none left: the payment is recorded above; now the order closes with a full
          // refund, the reason in its event (docs/inventory.md "The two policies").
          const closed = await dispatchNow(at, orderId, { type: 'CANCEL', reason: OUT_OF_STOCK_REASON }, STOCK_ACTOR, {});
          if (closed.ok) return { ...closed, outOfStock: { code: noStock.refused.code } };
        }
        return ok({ order: result.order, events: result.events, effects: result.effects, changed: true, replayed: false, ...(stray ? { strayPayment: stray } : {}) });
      } catch (error) {
        if (codeOf(error) === STORAGE_ERROR_CODES.orderNotFound) return fail(error as OrderkitError);
        if (!isVersionConflict(error)) throw error;
        // Another process committed first. A person's command gives up after maxRetries rounds; a
        // gateway callback keeps going for callbackRetryMs (its answer decides whether the gateway
        // delivers again), and past that says the order is busy, never that it conflicted.
        if (callback ? Date.now() - started >= retry.callbackRetryMs : attempt >= retry.maxRetries) {
          return fail(callback ? orderBusy(orderId, attempt + 1) : retriesExhausted(orderId, attempt + 1));
        }
        await sleep(backoffMs(attempt, retry.baseMs, retry.capMs, Math.random));
      }
    }
  }

  async function place(input: PlaceInput, placeOptions: PlaceOptions = {}): Promise<ServiceResult> {
    // Not an object at all (a JavaScript caller's undefined, null, a string): the typed refusal of
    // placeOrder (INVALID_ORDER_INPUT), never a TypeError from reading its fields.
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return placeOrder(input as never, { now: clock.now(), policy }) as ServiceResult;
    const placer: Actor = placeOptions.actor ?? { type: 'customer', id: (input as { customerId: string }).customerId };
    const scope = placeOptions.idempotencyKey === undefined ? undefined : placeScope(placer, placeOptions.idempotencyKey, input);
    if (scope === undefined) return placeNow(input, placeOptions, placer, undefined);
    // Placements with one key wait for each other in this instance, so a twin sent at once finds
    // the first one's record instead of debiting (or holding stock) again and being refused.
    return placements.run(scope.key, () => placeNow(input, placeOptions, placer, scope));
  }

  async function placeNow(input: PlaceInput, placeOptions: PlaceOptions, placer: Actor, scope: IdempotencyScope | undefined): Promise<ServiceResult> {
    if (scope !== undefined) {
      const record = await store.findIdempotency(scope.key);
      if (record) return replayOf(record, scope, placer, lifecycle.permissions);
    }
    for (let attempt = 1; ; attempt++) {
      const now = clock.now();
      const candidate = { ...input, id: input.id ?? ids.orderId(), number: input.number ?? ids.orderNumber(now) } as PlaceOrderInput;
      if (candidate.pickupCode === undefined && wantsPickupCode(input)) {
        const code = (ids.pickupCode ?? randomPickupCode)();
        if (code === undefined) return fail(noPickupCodeSource());
        candidate.pickupCode = code;
      }
      const result = placeOrder(candidate, placeOptions.actor ? { now, policy, actor: placeOptions.actor } : { now, policy });
      if (!result.ok) return result;
      const createOptions = {
        events: result.events,
        effects: result.effects,
        ...(scope !== undefined ? { idempotencyKey: scope.key, idempotencyRequest: scope.request } : {}),
      };
      const items = inventory ? stockItemsOf(result.order) : [];
      const debit = balanceDebitOf(result.order);
      if (debit !== null && !balance) return fail(noBalancePort());
      // The balance part is debited with the create, both or neither (./balance.ts).
      const holdsStock = inventory !== undefined && items.length > 0;
      const create = (transaction?: unknown) => {
        const write = (tx?: unknown) => store.create(result.order, tx === undefined ? createOptions : { ...createOptions, transaction: tx });
        // Outside a shared transaction (no `tx`), a create that failed without a refusal is found
        // out before its debit or its held units may go back (./finding-out.ts). With both, the
        // debit's rule answers: it is the stricter one, and the units stay whenever the debit does.
        const taking = debit !== null ? debitTaking(debit) : holdTaking(result.order.id);
        const settled = (tx?: unknown) => (tx === undefined ? createFindingOut(store, result.order, taking, () => write(), scope?.key, () => clock.now()) : write(tx));
        if (debit === null) return holdsStock ? settled(transaction) : write(transaction);
        return placeWithBalance(balance!, debit, settled, transaction);
      };
      try {
        const stored =
          inventory && items.length > 0
            ? await placeWithStock(inventory, { orderId: result.order.id, customerId: result.order.customerId, items }, create)
            : await create();
        if (debit !== null && stored.id !== result.order.id) {
          // An earlier call with the same key made the order: what this one took goes back.
          await balance!.credit({ ...debit, key: `${debit.key}:placement-replayed` }).catch(() => undefined);
        }
        if (inventory && items.length > 0 && stored.id !== result.order.id) {
          // An earlier call with the same key made the order: the units held for this one go back.
          await inventory.release({ orderId: result.order.id, key: 'placement-replayed', items }).catch(() => undefined);
        }
        if (stored.id !== result.order.id && scope !== undefined) {
          // Another call with the same key got there first: answer with its result.
          const record = await store.findIdempotency(scope.key);
          if (record) return replayOf(record, scope, placer, lifecycle.permissions);
        }
        return ok({ order: result.order, events: result.events, effects: result.effects, changed: true, replayed: false });
      } catch (error) {
        if (isInventoryError(error) || isBalanceError(error)) {
          // Refused (no stock, not enough balance) because a twin with the same key, in another
          // instance, already took it for the order it made: answer with that order.
          if (scope !== undefined) {
            const record = await store.findIdempotency(scope.key).catch(() => null);
            if (record) return replayOf(record, scope, placer, lifecycle.permissions);
          }
          return fail(error);
        }
        if (codeOf(error) !== STORAGE_ERROR_CODES.orderExists) {
          if (scope !== undefined) {
            // In one transaction with the stock, a key taken meanwhile fails the statement: answer with the first result.
            const record = await store.findIdempotency(scope.key).catch(() => null);
            if (record) return replayOf(record, scope, placer, lifecycle.permissions);
          }
          throw error;
        }
        const field = ((error as OrderkitError).details as { field?: string } | undefined)?.field;
        // A random order number that happened to be taken: draw another.
        if (field === 'number' && input.number === undefined && attempt < NUMBER_ATTEMPTS) continue;
        return fail(error as OrderkitError);
      }
    }
  }

  /** The service's own handlers (stock, balance credits) unless the caller gives one. */
  function withOwnHandlers(handlers: EffectHandlers): EffectHandlers {
    const out: EffectHandlers = { ...handlers };
    if (inventory && !handlers['inventory.release']) out['inventory.release'] = (effect) => applyStockEffect(inventory, effect);
    if (inventory?.take && !handlers['inventory.take']) {
      out['inventory.take'] = async (effect) => {
        // Taken before its commit under the same key: a delivery of the effect moves nothing more.
        const order = await store.load(effect.orderId);
        if (order) await applyTakeEffect(inventory, order.customerId, effect);
      };
    }
    if (balance && !handlers['balance.credit']) out['balance.credit'] = (effect) => creditAndSettle(undefined, effect);
    return out;
  }

  const service: OrderService = {
    store,
    place,
    dispatch,
    get,
    history: (orderId) => store.history(orderId),
    list: (query = {}) => store.list(query),
    sweep: (now, sweepOptions) => sweep({ options: { ...options, policy }, lifecycle, dispatchAt, afterCommit: applyCredits }, now ?? clock.now(), sweepOptions),
    // With an inventory, `inventory.release` has the service's own handler unless the caller gives one.
    drainOutbox: (handlers, drainOptions) =>
      drainOutbox(store, clock, withOwnHandlers(handlers), drainOptions),
    async subscribe(listener, subscribeOptions) {
      if (!store.subscribe) throw unsupported('subscribe (the change feed)');
      return store.subscribe(listener, subscribeOptions);
    },
  };
  return service;
}
