import type { Actor, Command, Order } from '../order/index.js';
import { OrderNotFoundError, STORAGE_ERROR_CODES, isVersionConflict } from '../storage/errors.js';
import type { CommitInput } from '../storage/port.js';
import type { OrderQueue } from './order-queue.js';
import type { AnyCommandInput, ServiceResult, ServiceTransitionResult } from './types.js';
import { fail } from '../errors/result.js';

/**
 * Commands that queue up for a busy order in one service instance leave together
 * (docs/storage.md, "Hot orders"). The order's queue runs one task at a time; while one runs, the
 * commands that arrive wait in a group behind it. When the group's turn comes, it loads the order
 * once, applies its commands one after another in arrival order (each on the order the previous
 * one left, each with its own clock reading) and writes every version they made with the store's
 * `commitChain`: one statement and one flush to disk for all of them, where one commit each would
 * pay a round trip and a flush per command on a row nobody else can write meanwhile.
 *
 * Each caller still gets exactly the answer it would have got alone: the order at its own version,
 * its own events and effects, a refusal when the lifecycle refused its command on the order as the
 * earlier commands of the group left it. When the chain conflicts (another process wrote the
 * order), nothing of it was written and every command of the group runs again alone, through the
 * usual dispatch with its reload and retries.
 */

export interface HotItem {
  at: Date | undefined;
  orderId: string;
  input: AnyCommandInput;
  actor: Actor;
  /** The caller's fresh read (`DispatchOptions.loaded`): used when the command runs alone. */
  loaded?: Order;
}

type Refusal = Exclude<ServiceResult, { ok: true }>;
type Decided = { result: Exclude<ServiceTransitionResult, { ok: true }> | (Extract<ServiceTransitionResult, { ok: true }> & { order: Order }); stray?: { code: string } };

export interface HotOrderRoutes {
  /** The command and actor checked before anything is loaded. */
  check(input: AnyCommandInput, actor: Actor): { ok: true; command: Command } | Refusal;
  load(orderId: string): Promise<Order | null>;
  /** The lifecycle's answer on `order` (with the stray-payment rule). */
  decide(order: Order, command: Command, actor: Actor, at: Date | undefined): Decided;
  commitChain(inputs: CommitInput[]): Promise<void>;
  /** The usual dispatch of one command (its own load, commit and retries). */
  alone(item: HotItem): Promise<ServiceResult>;
}

interface Waiting {
  item: HotItem;
  resolve: (result: ServiceResult) => void;
  reject: (error: unknown) => void;
}

export class HotOrders {
  /** Per order, the group waiting for its turn (new arrivals join it). */
  private readonly groups = new Map<string, Waiting[]>();

  constructor(
    private readonly queue: OrderQueue,
    private readonly routes: HotOrderRoutes,
  ) {}

  /** Queues a command of `orderId`; it joins the group already waiting for the order, if any. */
  join(orderId: string, item: HotItem): Promise<ServiceResult> {
    return new Promise<ServiceResult>((resolve, reject) => {
      const waiting = this.groups.get(orderId);
      if (waiting !== undefined) {
        waiting.push({ item, resolve, reject });
        return;
      }
      const group: Waiting[] = [{ item, resolve, reject }];
      this.groups.set(orderId, group);
      void this.queue.run(orderId, async () => {
        // From now on, arrivals form the next group, behind this one.
        if (this.groups.get(orderId) === group) this.groups.delete(orderId);
        await this.run(group);
      });
    });
  }

  /** A command that cannot join (it has an idempotency key) queues behind the waiting group, which takes no later arrivals. */
  close(orderId: string): void {
    this.groups.delete(orderId);
  }

  private async run(group: Waiting[]): Promise<void> {
    if (group.length === 1) return settle(group[0]!, () => this.routes.alone(group[0]!.item));
    let answers: ServiceResult[] | null;
    try {
      answers = await this.together(group.map((w) => w.item));
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    if (answers !== null) {
      for (let i = 0; i < group.length; i++) group[i]!.resolve(answers[i]!);
      return;
    }
    // The order moved under the chain: each command goes again alone, in order.
    for (const w of group) await settle(w, () => this.routes.alone(w.item));
  }

  /** The group's answers, or null when its chain conflicted and nothing was written. */
  private async together(items: HotItem[]): Promise<ServiceResult[] | null> {
    const answers: Array<ServiceResult | undefined> = items.map(() => undefined);
    const commands: Array<Command | undefined> = items.map((item, i) => {
      const checked = this.routes.check(item.input, item.actor);
      if (checked.ok) return checked.command;
      answers[i] = checked;
      return undefined;
    });
    if (commands.every((c) => c === undefined)) return answers as ServiceResult[];
    const orderId = items[0]!.orderId;
    let current = await this.routes.load(orderId);
    if (current === null) return items.map((_, i) => answers[i] ?? fail(new OrderNotFoundError(orderId)));
    const steps: CommitInput[] = [];
    for (let i = 0; i < items.length; i++) {
      const command = commands[i];
      if (command === undefined) continue;
      const { result, stray } = this.routes.decide(current, command, items[i]!.actor, items[i]!.at);
      const strayPayment = stray ? { strayPayment: stray } : {};
      if (!result.ok) answers[i] = result;
      else if (result.changed === false) {
        // An accepted no-op (a repeated payment notification): nothing to write, nothing to tell.
        answers[i] = { ok: true, order: result.order, events: [], effects: [], changed: false, replayed: false, ...strayPayment };
      } else {
        steps.push({ order: result.order, expectedVersion: current.version, events: result.events, effects: result.effects });
        answers[i] = { ok: true, order: result.order, events: result.events, effects: result.effects, changed: true, replayed: false, ...strayPayment };
        current = result.order;
      }
    }
    if (steps.length > 0) {
      try {
        await this.routes.commitChain(steps);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (isVersionConflict(error) || code === STORAGE_ERROR_CODES.orderNotFound) return null;
        throw error;
      }
    }
    return answers as ServiceResult[];
  }
}

async function settle(w: Waiting, run: () => Promise<ServiceResult>): Promise<void> {
  try {
    w.resolve(await run());
  } catch (error) {
    w.reject(error);
  }
}
