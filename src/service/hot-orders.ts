import type { Actor, Command, Order } from '../order/index.js';
import { copyJson } from '../order/copy-json.js';
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
 *
 * A group that was already waiting when the chain before it committed starts from the order that
 * chain left instead of loading it again (docs/storage.md, "Hot orders"): on a long order the load
 * (reading, checking and parsing the whole document) costs as much as the write. Nothing is taken
 * on trust: a chain's compare-and-set fails if the remembered version is no longer the stored one
 * (another process wrote it), and the group then loads the order and runs again; a group that
 * would write nothing (every command refused or a no-op) loads the order and decides again, so a
 * refusal is never based on a remembered order. Only orders that a chain wrote are remembered (a
 * copy each, at most REMEMBERED of them, the next group of the order takes its copy), and a command
 * written alone (with an idempotency key) makes the instance forget its order.
 *
 * After a chain is written, each of its commands has the steps a command written alone has after
 * its commit (stock its effects give back, balance credits), in the chain's order. A payment on a
 * service with an inventory never joins a group: it takes its stock before its commit (the
 * service writes it alone).
 */

export interface HotItem {
  at: Date | undefined;
  orderId: string;
  input: AnyCommandInput;
  actor: Actor;
  /** The caller's fresh read (`DispatchOptions.loaded`): used when the command runs alone. */
  loaded?: Order;
}

/** How many orders' last chains are remembered at most (hot orders are few at any time). */
const REMEMBERED = 32;

type Refusal = Exclude<ServiceResult, { ok: true }>;
type Decided = { result: Exclude<ServiceTransitionResult, { ok: true }> | (Extract<ServiceTransitionResult, { ok: true }> & { order: Order }); stray?: { code: string } };

export interface HotOrderRoutes {
  /** The command and actor checked before anything is loaded. */
  check(input: AnyCommandInput, actor: Actor): { ok: true; command: Command } | Refusal;
  load(orderId: string): Promise<Order | null>;
  /** The lifecycle's answer on `order` (with the stray-payment rule). */
  decide(order: Order, command: Command, actor: Actor, at: Date | undefined): Decided;
  commitChain(inputs: CommitInput[]): Promise<void>;
  /** What follows a command's commit (stock given back, balance credits), for each command of a written chain. */
  afterCommit(item: HotItem, effects: CommitInput['effects']): Promise<void>;
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
  /** Per order, the order as its last chain left it (the most recent REMEMBERED orders). */
  private readonly remembered = new Map<string, Order>();

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

  /**
   * A command that cannot join (it has an idempotency key) queues behind the waiting group, which
   * takes no later arrivals; it writes the order alone, so what a chain left is forgotten.
   */
  close(orderId: string): void {
    this.groups.delete(orderId);
    this.remembered.delete(orderId);
  }

  private remember(orderId: string, order: Order): void {
    this.remembered.delete(orderId);
    this.remembered.set(orderId, order);
    // The oldest entry goes first (a Map keeps insertion order).
    if (this.remembered.size > REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
  }

  private async run(group: Waiting[]): Promise<void> {
    const orderId = group[0]!.item.orderId;
    const remembered = this.remembered.get(orderId);
    this.remembered.delete(orderId);
    if (group.length === 1 && remembered === undefined) return settle(group[0]!, () => this.routes.alone(group[0]!.item));
    let outcome: { answers: ServiceResult[]; wrote: Order | null } | null;
    try {
      outcome = await this.together(group.map((w) => w.item), remembered);
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    if (outcome !== null) {
      // A copy, since the callers may change the orders they are answered with. Orders are JSON
      // documents (docs/storage.md); copyJson builds the copy without writing the text.
      if (outcome.wrote !== null) this.remember(orderId, copyJson(outcome.wrote));
      for (let i = 0; i < group.length; i++) group[i]!.resolve(outcome.answers[i]!);
      return;
    }
    // The order moved under the chain: each command goes again alone, in order.
    for (const w of group) await settle(w, () => this.routes.alone(w.item));
  }

  /**
   * The group's answers and the order its chain wrote (null when it wrote nothing), or null when its chain
   * conflicted on a loaded order and nothing was written. `remembered`: the order the previous chain
   * left, tried first (see the class comment).
   */
  private async together(items: HotItem[], remembered: Order | undefined): Promise<{ answers: ServiceResult[]; wrote: Order | null } | null> {
    const refused: Array<ServiceResult | undefined> = items.map(() => undefined);
    const commands: Array<Command | undefined> = items.map((item, i) => {
      const checked = this.routes.check(item.input, item.actor);
      if (checked.ok) return checked.command;
      refused[i] = checked;
      return undefined;
    });
    if (commands.every((c) => c === undefined)) return { answers: refused as ServiceResult[], wrote: null };
    const orderId = items[0]!.orderId;
    if (remembered !== undefined) {
      const tried = await this.chain(items, commands, refused, remembered);
      // A chain that wrote nothing, or met another version, is decided again on the stored order.
      if (tried !== 'conflict' && tried.wrote !== null) return tried;
    }
    const current = await this.routes.load(orderId);
    if (current === null) return { answers: items.map((_, i) => refused[i] ?? fail(new OrderNotFoundError(orderId))), wrote: null };
    const fresh = await this.chain(items, commands, refused, current);
    return fresh === 'conflict' ? null : fresh;
  }

  /** The commands applied one after another on `start` and written as one chain. */
  private async chain(
    items: HotItem[],
    commands: Array<Command | undefined>,
    refused: Array<ServiceResult | undefined>,
    start: Order,
  ): Promise<{ answers: ServiceResult[]; wrote: Order | null } | 'conflict'> {
    const answers = [...refused];
    let current = start;
    const steps: CommitInput[] = [];
    const stepItems: HotItem[] = [];
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
        stepItems.push(items[i]!);
        answers[i] = { ok: true, order: result.order, events: result.events, effects: result.effects, changed: true, replayed: false, ...strayPayment };
        current = result.order;
      }
    }
    if (steps.length > 0) {
      try {
        await this.routes.commitChain(steps);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (isVersionConflict(error) || code === STORAGE_ERROR_CODES.orderNotFound) return 'conflict';
        throw error;
      }
      // Each command's own after-commit steps, in the chain's order, as a command written alone has them.
      for (let k = 0; k < steps.length; k++) await this.routes.afterCommit(stepItems[k]!, steps[k]!.effects);
    }
    return { answers: answers as ServiceResult[], wrote: steps.length > 0 ? current : null };
  }
}

async function settle(w: Waiting, run: () => Promise<ServiceResult>): Promise<void> {
  try {
    w.resolve(await run());
  } catch (error) {
    w.reject(error);
  }
}
