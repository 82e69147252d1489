import * as z from '../zod.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import {
  NO_MATCH,
  createLifecycle,
  defaultGuards,
  defineCommand,
  defineGuard,
  isDue,
  orderCommands,
  type CommandDefinition,
  type Lifecycle,
  type Step,
} from '../lifecycle/index.js';
import { ORDER_STATUS_LABELS, type Actor, type Order } from '../order/index.js';
import type { OrderService, PlaceInput, ServiceResult } from '../service/index.js';
import { flowErrors } from './errors.js';
import { fail, type Result } from '../errors/result.js';
import { OrderExistsError } from '../storage/errors.js';

/**
 * 拼团 (group buy), a flow built like any shop's own (docs/flows.md "Group buy"): its commands are
 * `defineCommand` files over orderkit's list, its state lives in a small port (`GroupStore`), and
 * a sweeper (`sweepGroups`) settles groups through the order service.
 *
 * - A shopper opens a group (the leader) or joins one; each member has an order of their own,
 *   carrying `metadata.groupBuy = { groupId, size, deadline }`.
 * - Paying moves the order to `grouping` (拼团中), not `paid`: nothing ships yet.
 * - When every seat is paid, `GROUP_COMPLETED` moves each member's order to `paid` (the usual flow
 *   follows); when the deadline passes first, `GROUP_FAILED` closes each: a paid member is refunded
 *   in full (one ledger entry, `merchant_cancel`), an unpaid one closed with its attempt.
 * - Exactly once: each order's status says whether it was settled; `GROUP_FAILED` on a closed order
 *   is refused (`INVALID_TRANSITION`), so a second sweep, or two sweepers at once, refund nobody twice.
 */

/** One seat of a group: the member's order. */
export interface GroupMember {
  orderId: string;
  customerId: string;
  joinedAt: string;
}

export type GroupStatus = 'open' | 'complete' | 'failed';

export interface Group {
  id: string;
  /** Seats: the group completes when this many members have paid. */
  size: number;
  /** ISO time: a group not complete by then fails. */
  deadline: string;
  status: GroupStatus;
  members: GroupMember[];
}

export type GroupResult = Result<{ group: Group }>;

/**
 * Where groups live. `join` must be atomic (check and take a seat in one step): two shoppers
 * racing for the last seat get one `ok` and one `GROUP_FULL`; a seat under an order id already
 * seated is refused (`ORDER_EXISTS`), since `leave` gives back every seat of an order id. `settle` moves an open group to
 * `complete` or `failed` once and answers whether this call did it.
 */
export interface GroupStore {
  create(group: Group): Promise<GroupResult>;
  get(groupId: string): Promise<Group | null>;
  join(groupId: string, member: GroupMember, now: Date, timeZone: string): Promise<GroupResult>;
  leave(groupId: string, orderId: string): Promise<void>;
  settle(groupId: string, status: 'complete' | 'failed'): Promise<boolean>;
  /** Every group still open. */
  listOpen(): Promise<Group[]>;
}

const copy = (g: Group): Group => ({ ...g, members: g.members.map((m) => ({ ...m })) });

/**
 * A `GroupStore` in memory (one process; tests, demos, a single cloud function instance).
 *
 * @example
 * const groups = new MemoryGroupStore();
 */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, Group>();

  async create(group: Group): Promise<GroupResult> {
    if (this.groups.has(group.id)) return fail(flowErrors.groupExists(group.id));
    this.groups.set(group.id, copy(group));
    return { ok: true, group: copy(group) };
  }

  async get(groupId: string): Promise<Group | null> {
    const g = this.groups.get(groupId);
    return g === undefined ? null : copy(g);
  }

  async join(groupId: string, member: GroupMember, now: Date, timeZone: string): Promise<GroupResult> {
    const g = this.groups.get(groupId);
    if (g === undefined) return fail(flowErrors.unknownGroup(groupId));
    if (g.status !== 'open' || isDue(g.deadline, now)) return fail(flowErrors.groupClosed(groupId, g.status, g.deadline, timeZone));
    if (g.members.some((m) => m.customerId === member.customerId)) return fail(flowErrors.alreadyInGroup(groupId, member.customerId));
    // One seat per order id: a second seat under a seated order's id would be given back with it
    // (`leave` is by order id) when its placement fails, leaving the seated member out of the group.
    if (g.members.some((m) => m.orderId === member.orderId)) return fail(new OrderExistsError(member.orderId));
    if (g.members.length >= g.size) return fail(flowErrors.groupFull(groupId, g.size));
    g.members.push({ ...member });
    return { ok: true, group: copy(g) };
  }

  async leave(groupId: string, orderId: string): Promise<void> {
    const g = this.groups.get(groupId);
    if (g !== undefined && g.status === 'open') g.members = g.members.filter((m) => m.orderId !== orderId);
  }

  async settle(groupId: string, status: 'complete' | 'failed'): Promise<boolean> {
    const g = this.groups.get(groupId);
    if (g === undefined || g.status !== 'open') return false;
    g.status = status;
    return true;
  }

  async listOpen(): Promise<Group[]> {
    return [...this.groups.values()].filter((g) => g.status === 'open').map(copy);
  }
}

/** What a group order carries in its metadata. */
export interface GroupBuyMetadata {
  groupId: string;
  size: number;
  deadline: string;
}

/**
 * The group a member order belongs to, or undefined for any other order.
 *
 * @example
 * groupOf(order)?.groupId
 */
export function groupOf(order: Pick<Order, 'metadata'>): GroupBuyMetadata | undefined {
  const g = (order.metadata as { groupBuy?: GroupBuyMetadata } | undefined)?.groupBuy;
  return g !== undefined && typeof g.groupId === 'string' && typeof g.deadline === 'string' ? g : undefined;
}

function original(type: string): CommandDefinition<string, any> {
  const found = orderCommands.find((c) => c.type === type);
  if (found === undefined) throw new Error(`orderkit has no ${type}`);
  return found;
}

/** Pays a group order: the usual payment checks, then `grouping` instead of `paid`. */
const paysGroupOrder = defineGuard(
  (step: Step) => {
    if (groupOf(step.order) === undefined) return NO_MATCH;
    const pays = step.order.fulfillment === 'virtual' ? defaultGuards['paysVirtualOrder']! : defaultGuards['paysPhysicalOrder']!;
    return pays(step, undefined);
  },
  (probe) => groupOf(probe.order) !== undefined,
);

/** The group's deadline has passed (the command cannot come early). */
const groupDeadlinePassed = defineGuard(
  (step: Step) => {
    const g = groupOf(step.order);
    if (g === undefined) return NO_MATCH;
    return isDue(g.deadline, step.ctx.now) ? undefined : NO_MATCH;
  },
  (probe) => {
    const g = groupOf(probe.order);
    return g !== undefined && isDue(g.deadline, new Date(probe.nowMs));
  },
);

const isGroupOrder = defineGuard(
  (step: Step) => (groupOf(step.order) === undefined ? NO_MATCH : undefined),
  (probe) => groupOf(probe.order) !== undefined,
);

const payment = original('PAYMENT_SUCCEEDED');
/** 支付成功 for a group order: the member waits in `grouping` (拼团中). */
export const groupPaymentSucceeded = defineCommand({
  ...payment,
  rows: [
    payment.rows[0]!,
    { from: 'pending_payment', to: 'grouping', guard: 'paysGroupOrder', actions: ['recordPayment', { type: 'notify', params: { to: 'customer', template: 'group_joined', include: ['payment'] } }] },
    ...payment.rows.slice(1),
    { from: 'grouping', guard: 'isDuplicatePayment', description: 'no-op' },
  ],
  guards: { paysGroupOrder },
});

/** 成团: every seat is paid; the member's order proceeds as a paid order. */
export const groupCompleted = defineCommand({
  type: 'GROUP_COMPLETED',
  schema: z.strictObject({ type: z.literal('GROUP_COMPLETED') }),
  actors: ['system'],
  label: { 'zh-CN': '拼团成功', en: 'Group complete' },
  rows: [{ from: 'grouping', to: 'paid', guard: 'isGroupOrder', actions: ['becomePaid'] }],
  guards: { isGroupOrder },
});

/** 拼团失败: the deadline passed first; a paid member is refunded in full, an unpaid one closed. */
export const groupFailed = defineCommand({
  type: 'GROUP_FAILED',
  schema: z.strictObject({ type: z.literal('GROUP_FAILED') }),
  actors: ['system'],
  label: { 'zh-CN': '拼团失败', en: 'Group failed' },
  rows: [
    {
      from: 'grouping',
      to: 'closed',
      guard: 'groupDeadlinePassed',
      // Refunded before shipping: the units, coupons and points come back as on a merchant's cancel (docs/inventory.md).
      actions: [
        { type: 'close', params: { reason: 'fully_refunded' } },
        { type: 'refundInFull', params: { reason: 'merchant_cancel' } },
        'releaseInventory',
        'releaseCoupons',
        'settlePoints',
        { type: 'notify', params: { to: 'customer', template: 'group_failed', include: ['refund'] } },
      ],
    },
    { from: 'pending_payment', to: 'closed', guard: 'groupDeadlinePassed', actions: [{ type: 'close', params: { reason: 'payment_timeout' } }, 'closePayment', 'releaseInventory', 'releaseCoupons', 'settlePoints'] },
  ],
  guards: { groupDeadlinePassed },
});

/**
 * 付款减库存 for a group order (docs/inventory.md "The two policies"): the service's CANCEL with
 * reason `out_of_stock` after a payment that found no stock. The member waits in `grouping`, where
 * orderkit's own row (from `paid`) does not apply.
 */
const groupStockRanOut = defineGuard(
  (step: Step) =>
    groupOf(step.order) !== undefined && step.ctx.actor.type === 'merchant' && (step.command as { reason?: unknown }).reason === 'out_of_stock' ? undefined : NO_MATCH,
  (probe) => groupOf(probe.order) !== undefined && probe.actor.type === 'merchant',
);

const cancelDef = original('CANCEL');
/** 取消 for a group order: orderkit's rows, and a member whose payment found no stock is closed and refunded in full. */
const groupCancel = defineCommand({
  ...cancelDef,
  rows: [
    {
      from: 'grouping',
      to: 'closed',
      guard: 'groupStockRanOut',
      actions: [
        { type: 'close', params: { reason: 'out_of_stock' } },
        { type: 'refundInFull', params: { reason: 'out_of_stock' } },
        'releaseInventory',
        'releaseCoupons',
        'settlePoints',
        { type: 'notify', params: { to: 'customer', template: 'order_cancelled', include: ['refund'] } },
      ],
    },
    ...cancelDef.rows,
  ],
  guards: { ...(cancelDef.guards ?? {}), groupStockRanOut },
});

/** The statuses of a group-buy lifecycle: orderkit's, and 拼团中 after payment. */
export const GROUP_BUY_STATUSES = { ...ORDER_STATUS_LABELS, grouping: { 'zh-CN': '拼团中', en: 'Waiting for the group' } };

/**
 * orderkit's commands with the group-buy ones: `PAYMENT_SUCCEEDED` replaced, `GROUP_COMPLETED`
 * and `GROUP_FAILED` added. Pass more of your own in `extra`.
 *
 * @example
 * const lifecycle = groupBuyLifecycle();
 */
export function groupBuyLifecycle(extra: readonly CommandDefinition<string, any>[] = []): Lifecycle<string, { type: string }> {
  const commands = orderCommands.map((c) => (c.type === 'PAYMENT_SUCCEEDED' ? groupPaymentSucceeded : c.type === 'CANCEL' ? groupCancel : c));
  return createLifecycle({ commands: [...commands, groupCompleted, groupFailed, ...extra], states: GROUP_BUY_STATUSES }) as unknown as Lifecycle<string, { type: string }>;
}

export interface GroupBuyOptions {
  service: OrderService;
  groups: GroupStore;
  /** For the messages of `GROUP_CLOSED`. Default 'Asia/Shanghai'. */
  timeZone?: string;
  /** New group ids (default: the leader's order id with a `G` in front). */
  newGroupId?: (leaderOrderId: string) => string;
  /** New member order ids (default: random). */
  newOrderId?: () => string;
  /** The same clock as the service's (deadlines are read on it). Default the system clock. */
  clock?: { now(): Date };
}

export interface SettleReport {
  completed: string[];
  failed: string[];
  /** Member orders moved on (GROUP_COMPLETED or GROUP_FAILED accepted). */
  ordersMoved: number;
  /** Unpaid members whose order closed by itself: their seat was given back. */
  seatsFreed: number;
}

const SWEEPER: Actor = { type: 'system', id: 'group-sweeper' };

/** A member whose order closed while the group was open: never paid, or refunded for want of stock. */
const leftEarly = (o: Order): boolean => o.status === 'closed' && (o.payment.transactionId === undefined || o.closeReason === 'out_of_stock');

export interface GroupBuy {
  /** 开团: a new group of `size` seats open until `deadline`, with the leader's order. */
  open(input: PlaceInput & { customerId: string }, group: { size: number; deadline: Date; id?: string }): Promise<ServiceResult & { group?: Group }>;
  /** 参团: takes a seat (GROUP_FULL, GROUP_CLOSED, UNKNOWN_GROUP, ALREADY_IN_GROUP: nothing is placed), then places the order. */
  join(groupId: string, input: PlaceInput & { customerId: string }): Promise<ServiceResult & { group?: Group }>;
  /** Completes or fails one group from its members' orders. Safe to run again, or concurrently. */
  settle(groupId: string): Promise<SettleReport>;
  /** Settles every open group (run it beside `service.sweep`). */
  sweep(): Promise<SettleReport>;
}

/**
 * The group-buy flow over an order service made with `groupBuyLifecycle()`.
 *
 * @example
 * const groups = new MemoryGroupStore();
 * const service = createOrderService({ store: new MemoryOrderStore(), lifecycle: groupBuyLifecycle() });
 * const gb = createGroupBuy({ service, groups });
 */
export function createGroupBuy(options: GroupBuyOptions): GroupBuy {
  const { service, groups } = options;
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const clock = options.clock ?? { now: () => new Date() };

  async function placeMember(group: Group, input: PlaceInput & { customerId: string }, orderId: string): Promise<ServiceResult> {
    const metadata: GroupBuyMetadata = { groupId: group.id, size: group.size, deadline: group.deadline };
    return service.place({ ...input, id: orderId, metadata: { ...(input.metadata ?? {}), groupBuy: metadata } } as PlaceInput);
  }

  const newOrderId = options.newOrderId ?? ((): string => `gb-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);

  return {
    async open(input, spec) {
      if (typeof spec !== 'object' || spec === null) {
        return fail(flowErrors.invalidGroup([], { 'zh-CN': '缺少拼团设置（人数和截止时间）', en: 'the group settings (size and deadline) are missing' }));
      }
      if (typeof input !== 'object' || input === null) return service.place(input);
      if (!Number.isInteger(spec.size) || spec.size < 2 || spec.size > 100) {
        return fail(flowErrors.invalidGroup(['size'], { 'zh-CN': '成团人数须为 2–100 的整数', en: 'a group needs 2 to 100 members (an integer)' }));
      }
      if (!(spec.deadline instanceof Date) || Number.isNaN(spec.deadline.getTime())) {
        return fail(flowErrors.invalidGroup(['deadline'], { 'zh-CN': '成团截止时间无效', en: 'the group deadline is not a valid time' }));
      }
      if (spec.deadline.getTime() <= clock.now().getTime()) {
        return fail(flowErrors.invalidGroup(['deadline'], { 'zh-CN': '成团截止时间须晚于现在', en: 'the group deadline must be in the future' }));
      }
      const orderId = input.id ?? newOrderId();
      const id = spec.id ?? (options.newGroupId ?? ((leader: string) => `G${leader}`))(orderId);
      const created = await groups.create({ id, size: spec.size, deadline: spec.deadline.toISOString(), status: 'open', members: [] });
      if (!created.ok) return created;
      const leader = await this.join(id, { ...input, id: orderId });
      if (!leader.ok) {
        // The leader's order was refused (bad cart, no stock…): the group it opened, still empty,
        // is closed as failed, so that nobody joins a group without its leader.
        const g = await groups.get(id);
        if (g !== null && g.status === 'open' && g.members.length === 0) await groups.settle(id, 'failed');
      }
      return leader;
    },

    async join(groupId, input) {
      // Input that is not an object gets the service's typed refusal, and no seat is taken.
      if (typeof input !== 'object' || input === null) return service.place(input);
      const orderId = input.id ?? newOrderId();
      const now = clock.now();
      const seat = await groups.join(groupId, { orderId, customerId: input.customerId, joinedAt: now.toISOString() }, now, timeZone);
      if (!seat.ok) return seat;
      const placed = await placeMember(seat.group, input, orderId);
      if (!placed.ok) await groups.leave(groupId, orderId);
      return placed.ok ? { ...placed, group: seat.group } : placed;
    },

    async settle(groupId) {
      const now = clock.now();
      const report: SettleReport = { completed: [], failed: [], ordersMoved: 0, seatsFreed: 0 };
      const group = await groups.get(groupId);
      if (group === null) return report;
      let orders = (await Promise.all(group.members.map((m) => service.get(m.orderId)))).filter((o): o is Order => o !== null);
      if (group.status === 'open' && !isDue(group.deadline, now)) {
        // Seats of members whose order closed before the group did are free again: never paid
        // (expired, cancelled), or paid and refunded because the payment found no stock.
        for (const o of orders) {
          if (leftEarly(o)) {
            await groups.leave(groupId, o.id);
            report.seatsFreed++;
          }
        }
        orders = orders.filter((o) => !leftEarly(o));
      }
      // A member has paid when the order holds a transaction; that stays true after GROUP_COMPLETED
      // moved it on, so a sweep that runs again decides the same. A member refunded (the group
      // failed, or the payment found no stock) is not a paid member, and neither is one whose
      // payment was made after the deadline (`paidAt`): the deadline passed first, whenever the
      // sweeper runs (docs/flows.md "Group buy").
      const deadline = Date.parse(group.deadline);
      const paidInTime = (o: Order) => o.payment.paidAt === undefined || Date.parse(o.payment.paidAt) <= deadline;
      const paidMembers = orders.filter((o) => o.payment.transactionId !== undefined && o.closeReason !== 'fully_refunded' && o.closeReason !== 'out_of_stock' && paidInTime(o)).length;
      const complete = group.status === 'complete' || (group.status === 'open' && paidMembers >= group.size);
      const failed = group.status === 'failed' || (!complete && isDue(group.deadline, now));
      if (!complete && !failed) return report;
      // Orders first, then the group: a crash in between leaves the group open, and the next sweep
      // decides the same and moves the orders still waiting (the others refuse the command).
      const type = complete ? 'GROUP_COMPLETED' : 'GROUP_FAILED';
      for (const o of orders) {
        const status = o.status as string;
        if (complete ? status !== 'grouping' : status !== 'grouping' && status !== 'pending_payment') continue;
        const r = await service.dispatch(o.id, { type } as never, SWEEPER);
        if (r.ok) report.ordersMoved++;
      }
      if (group.status === 'open' && (await groups.settle(groupId, complete ? 'complete' : 'failed'))) (complete ? report.completed : report.failed).push(groupId);
      return report;
    },

    async sweep() {
      const total: SettleReport = { completed: [], failed: [], ordersMoved: 0, seatsFreed: 0 };
      for (const g of await groups.listOpen()) {
        const r = await this.settle(g.id);
        total.completed.push(...r.completed);
        total.failed.push(...r.failed);
        total.ordersMoved += r.ordersMoved;
        total.seatsFreed += r.seatsFreed;
      }
      return total;
    },
  };
}
