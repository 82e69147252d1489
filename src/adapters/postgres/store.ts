import { createHash, randomBytes } from 'node:crypto';
import { isStorableString, type Effect, type Order, type OrderEvent } from '../../order/index.js';
import { CheckedDocuments, checkCommitInput, checkCreateInput, decodeAll, decodeEvent, decodeOrder, decodeRecordOrder, encodeCursor, normalizeListQuery } from '../../storage/codec.js';
import { ORDER_SCHEMA_VERSION, SCHEMA_VERSION_FIELD, storedOrderDocument, storedOrderText } from '../../storage/schema-version.js';
import { nextDueAt } from '../../lifecycle/due.js';
import { CorruptOrderError, OrderExistsError, OrderNotFoundError, STORAGE_ERROR_CODES, VersionConflictError, invalidCommit, isVersionConflict, transactionUnsupported } from '../../storage/errors.js';
import type {
  CommitInput,
  CommitOutcome,
  CreateOptions,
  FindDueOptions,
  IdempotencyRecord,
  IdempotencyRequest,
  ListQuery,
  OrderChange,
  OrderChangeListener,
  OrderPage,
  OrderStore,
  OutboxEntry,
  SubscribeOptions,
  Unsubscribe,
  PersonalDataRedaction,
} from '../../storage/port.js';
import { toSqlDriver, type PostgresDatabase, type SqlDriver, type SqlExecutor } from './driver.js';
import { CommitBatcher, type CommitBatcherOptions } from './commit-batcher.js';
import { ChangeFeed, type FeedPage } from './feed.js';
import { fromPosition, toPosition } from './positions.js';
import { checkSchemaName, quoteIdent } from './identifiers.js';
import { buildListQuery } from './list-query.js';
import { NOTICE_BYTES, statements, type Statements } from './statements.js';
import { ok } from '../../errors/result.js';
import { foldCustomers } from './analytics-customers.js';
import { TailMemory, joinDocument, splitDocument, splitText, type TailEntry } from './tails.js';
import { copyJson } from '../../order/copy-json.js';

export interface PostgresOrderStoreOptions {
  /** A `pg.Pool`, a PGlite instance, or a `SqlDriver`. The store never closes it: you own it. */
  db: PostgresDatabase;
  /** The schema `migrate` created. Default 'orderkit'. */
  schema?: string;
  /**
   * How commits wake the change feed's listeners (channel `<schema>_changes`). Every commit writes
   * its change-log row in its own statement whatever the mode; the NOTIFY only says "read the log",
   * so no mode can lose or reorder a change (docs/storage.md, "Change feed").
   * - 'in-transaction' (default): the NOTIFY is part of the commit statement, so listeners wake
   *   exactly when it commits. PostgreSQL serialises the commits of transactions that notified (a
   *   global lock held until the commit is flushed to disk): when flushes are slow, writers queue
   *   behind it. Group commit (`groupCommit`) takes it once per statement, not once per commit;
   *   docs/benchmarks.md measures the modes.
   * - 'after-commit': a NOTIFY right after the commit succeeded. Faster on a busy disk; a process
   *   that dies between the two statements loses that wake-up, and listeners find the change at
   *   their next poll (`feedPollMs`).
   * - 'off': this store wakes nobody (its subscribers still hear other instances, and poll).
   */
  notify?: 'after-commit' | 'in-transaction' | 'off';
  /** Called when a change-feed listener throws, or the feed cannot read the log or send a notification. */
  onListenerError?: (error: unknown) => void;
  /**
   * While anybody is subscribed, the change log is read at least this often even without a
   * notification (a safety net for a lost one). Default 5000 ms.
   */
  feedPollMs?: number;
  /**
   * Group commit (default on): commits that arrive while another commit statement of this store
   * is on its way leave together in one statement, each still its own compare-and-set. A lone
   * commit leaves at once. `false` sends every commit alone; an object tunes the batches.
   */
  groupCommit?: boolean | CommitBatcherOptions;
}

interface OrderRow {
  id: string;
  version: number;
  doc: string;
  /** md5 of the document as the store wrote it (null for rows written by other tools). */
  doc_md5: string | null;
  last_event: number | null;
  /** The order's shipments and notes kept as rows (kind, md5, entry text), or null for none. */
  tails: string[] | null;
}

/** How a document that keeps its lists as rows renders its counts (docs/storage.md, "Shipments and notes as rows"). */
const TAILS_MARK = '"tails": {';

const DEFAULT_DUE_LEASE_MS = 30_000;
/**
 * How the text PostgreSQL renders for a current document ends when `schemaVersion` is its longest
 * field name (jsonb puts the longest keys last). A document that ends otherwise (an older version,
 * or a longer field such as `deletedByCustomerAt`) is written whole.
 */
const CURRENT_VERSION_TAIL = `"${SCHEMA_VERSION_FIELD}": ${ORDER_SCHEMA_VERSION}}`;

/**
 * The PostgreSQL `OrderStore` (`orderkit/postgres`), for a server through `pg` or embedded
 * through PGlite. Run `migrate(db)` once first. Orders are `jsonb` documents beside real columns
 * for what queries read; commits are one compare-and-set statement; sweepers and outbox workers
 * coordinate with `FOR UPDATE SKIP LOCKED` and leases; the change feed is LISTEN/NOTIFY on the
 * channel `<schema>_changes`.
 *
 * @example
 * import pg from 'pg';
 * import { migrate, PostgresOrderStore } from 'wx-orderkit/postgres';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const store = new PostgresOrderStore({ db: pool });
 */
export class PostgresOrderStore implements OrderStore {
  readonly schema: string;
  /** The NOTIFY channel of the change feed. */
  readonly channel: string;
  private readonly driver: SqlDriver;
  private readonly sql: Statements;
  private readonly feed: ChangeFeed;
  private readonly checked = new CheckedDocuments();
  /** The lists of the orders this store read or wrote last, to write only their new entries. */
  private readonly lists = new TailMemory();
  private readonly notifyMode: 'after-commit' | 'in-transaction' | 'off';
  private readonly onListenerError: ((error: unknown) => void) | undefined;
  /** Logged changes ([order id, version, status, at, xid, seq]) not yet announced; null: a bare wake-up. */
  private readonly unannounced: unknown[] = [];
  private announcing: Promise<void> | null = null;
  private readonly batcher: CommitBatcher | null;

  constructor(options: PostgresOrderStoreOptions) {
    this.schema = checkSchemaName(options.schema ?? 'orderkit');
    this.channel = `${this.schema}_changes`;
    this.driver = toSqlDriver(options.db);
    this.sql = statements(this.schema);
    this.feed = new ChangeFeed(
      this.driver,
      this.channel,
      { check: (position) => void fromPosition(position), read: (since, limit) => this.readChanges(since, limit), head: () => this.feedHead(), notice: noticeChanges },
      { ...(options.onListenerError ? { onError: options.onListenerError } : {}), ...(options.feedPollMs !== undefined ? { pollMs: options.feedPollMs } : {}) },
    );
    this.notifyMode = options.notify ?? 'in-transaction';
    this.onListenerError = options.onListenerError;
    const group = options.groupCommit ?? true;
    this.batcher =
      group === false
        ? null
        : new CommitBatcher({ one: (input) => this.commitAlone(input), many: (inputs) => this.commitTogether(inputs) }, group === true ? {} : group);
  }

  /** The channel to NOTIFY inside a write statement, or null to leave it out. */
  private get channelInside(): string | null {
    return this.notifyMode === 'in-transaction' ? this.channel : null;
  }

  /**
   * After a commit: queue its announcement, the changes it logged (`fed`, as its statement
   * returned them). One sender drains the queue, so announcements leave in commit order, and
   * commits that finish together share one NOTIFY statement (a round trip per commit would cost
   * more than the NOTIFY itself). A failure to announce never turns a successful commit into an
   * error.
   */
  private announce(fed: string | undefined): void {
    if (this.notifyMode !== 'after-commit') return;
    let changes: unknown[];
    try {
      changes = JSON.parse(fed ?? '[]') as unknown[];
    } catch {
      changes = [];
    }
    if (changes.length === 0 && fed !== undefined) return;
    // A statement that did not say what it logged still wakes the listeners (an empty payload).
    this.unannounced.push(...(changes.length === 0 ? [null] : changes));
    if (this.announcing === null) this.announcing = this.sendAnnouncements();
  }

  /** One NOTIFY statement for every commit that finished while the previous one was on its way. */
  private async sendAnnouncements(): Promise<void> {
    while (this.unannounced.length > 0) {
      const payloads = noticePayloads(this.unannounced.splice(0));
      try {
        await this.driver.query(this.sql.notifyAfter, [this.channel, payloads]);
      } catch (error) {
        this.onListenerError?.(error);
      }
    }
    this.announcing = null;
  }

  /**
   * See `OrderStore.redactPersonalData` (docs/privacy.md). One transaction per order, the order row
   * locked first: the order (its `customer_id` and checksum too; the analytics facts follow
   * through their trigger), its shipments and notes kept as rows, its events, outbox rows and idempotency records. The change log holds
   * no personal data and is left alone.
   */
  async redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    const s = quoteIdent(this.schema);
    let done = 0;
    for (const r of redactions) {
      if (!isStorableString(r.orderId)) continue;
      const rewrite = (text: string) => JSON.stringify(r.redact(JSON.parse(text)));
      const wrote = await this.driver.transaction(async (tx) => {
        const { rows } = await tx.query<{ doc: string }>(`SELECT doc::text AS doc FROM ${s}.orders WHERE id = $1 FOR UPDATE`, [r.orderId]);
        if (!rows[0]) return false;
        await tx.query(`UPDATE ${s}.orders SET doc = $2::jsonb, doc_md5 = md5($2::jsonb::text), customer_id = $3 WHERE id = $1`, [r.orderId, rewrite(rows[0].doc), r.pseudonym]);
        // The shipments and notes kept as rows (docs/storage.md, "Shipments and notes as rows").
        const tails = await tx.query<{ kind: string; idx: number; doc: string }>(`SELECT kind, idx, doc::text AS doc FROM ${s}.order_tails WHERE order_id = $1`, [r.orderId]);
        for (const t of tails.rows) await tx.query(`UPDATE ${s}.order_tails SET doc = $4::jsonb, doc_md5 = md5($4::jsonb::text) WHERE order_id = $1 AND kind = $2 AND idx = $3`, [r.orderId, t.kind, t.idx, rewrite(t.doc)]);
        const events = await tx.query<{ version: number; seq: number; doc: string }>(`SELECT version, seq, doc::text AS doc FROM ${s}.order_events WHERE order_id = $1`, [r.orderId]);
        for (const e of events.rows) await tx.query(`UPDATE ${s}.order_events SET doc = $4::jsonb WHERE order_id = $1 AND version = $2 AND seq = $3`, [r.orderId, e.version, e.seq, rewrite(e.doc)]);
        const outbox = await tx.query<{ id: string; doc: string }>(`SELECT id, doc::text AS doc FROM ${s}.outbox WHERE order_id = $1`, [r.orderId]);
        for (const o of outbox.rows) await tx.query(`UPDATE ${s}.outbox SET doc = $2::jsonb WHERE id = $1`, [o.id, rewrite(o.doc)]);
        const keys = await tx.query<{ key: string; doc: string }>(`SELECT key, doc::text AS doc FROM ${s}.idempotency WHERE order_id = $1`, [r.orderId]);
        for (const k of keys.rows) await tx.query(`UPDATE ${s}.idempotency SET doc = $2::jsonb WHERE key = $1`, [k.key, rewrite(k.doc)]);
        return true;
      });
      if (wrote) done += 1;
    }
    if (done > 0) await this.foldRedactedCustomers(s);
    return done;
  }

  /**
   * The analytics' customer chains (docs/analytics.md, "Customers and cohorts") are keyed by
   * customer id and recomputed from the facts by the fold: the facts trigger marked the old id
   * dirty, and until the fold runs that mark and the old chain rows keep the id a redaction
   * removed. So the fold runs here, waiting for the fold lock rather than skipping when another
   * session holds it. Nothing to do without the analytics tables.
   */
  private async foldRedactedCustomers(schema: string): Promise<void> {
    const { rows } = await this.driver.query<{ has: boolean }>('SELECT to_regclass($1) IS NOT NULL AS has', [`${schema}.customer_dirty`]);
    if (rows[0]?.has !== true) return;
    await this.driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`orderkit:analytics-fold:${schema}`]);
      await foldCustomers(tx, schema);
    });
  }

  async load(id: string): Promise<Order | null> {
    // An id PostgreSQL cannot even compare (U+0000, a lone surrogate) names no stored order.
    if (!isStorableString(id)) return null;
    const { rows } = await this.driver.query<OrderRow>(this.sql.load, [id]);
    const row = rows[0];
    return row ? this.decodeRow(row) : null;
  }

  async findByNumber(number: string): Promise<Order | null> {
    if (typeof number !== 'string' || !isStorableString(number)) return null;
    const { rows } = await this.driver.query<OrderRow>(this.sql.loadByNumber, [number]);
    const row = rows[0];
    return row ? this.decodeRow(row) : null;
  }

  async create(order: Order, options: CreateOptions): Promise<Order> {
    const key = options.idempotencyKey;
    // Inside a caller's transaction every read goes through it too (PGlite has one connection).
    if (options.transaction !== undefined) return this.createIn(this.executorFor(options), order, options);
    if (key !== undefined) {
      const first = await this.orderOfKey(key);
      if (first) return first;
    }
    checkCreateInput(order, options.events, options.effects);
    const doc = splitText(order);
    let written: number;
    let fed: string | undefined;
    try {
      const { rows } = await this.driver.query<{ written: number; fed?: string }>(this.sql.create, [
        order.id,
        order.number,
        order.customerId,
        order.status,
        order.createdAt,
        order.updatedAt,
        nextDueAt(order),
        doc,
        JSON.stringify(options.events),
        JSON.stringify(options.effects),
        key ?? null,
        this.channelInside,
        order.updatedAt,
        requestJson(key, options.idempotencyRequest),
        tailsJson(this.lists.entries(order, 0)),
        key === undefined ? null : storedOrderText(order),
      ]);
      written = Number(rows[0]?.written ?? 0);
      fed = rows[0]?.fed;
    } catch (error) {
      if (key !== undefined && violated(error, 'idempotency_pkey')) {
        // Another caller with the same key won the race: its order is the answer.
        const first = await this.orderOfKey(key);
        if (first) return first;
      }
      throw this.translate(error, order.id);
    }
    if (written === 0) {
      if (key !== undefined) {
        const first = await this.orderOfKey(key);
        if (first) return first;
      }
      const byId = await this.driver.query(this.sql.versionOf, [order.id]);
      if (byId.rows.length > 0) throw new OrderExistsError(order.id, 'id');
      const holder = await this.driver.query<{ id: string }>(this.sql.numberHolder, [order.number]);
      throw new OrderExistsError(holder.rows[0]?.id ?? order.id, 'number');
    }
    this.announce(fed);
    this.lists.remember(order);
    return copyJson(order);
  }

  /**
   * `create` inside the caller's transaction: the same statement; when it writes nothing the
   * transaction must fail, so the answer is an error (ORDER_EXISTS, or a conflict on the key, which
   * the service answers from the idempotency record once the transaction has rolled back).
   */
  private async createIn(tx: SqlExecutor, order: Order, options: CreateOptions): Promise<Order> {
    checkCreateInput(order, options.events, options.effects);
    const key = options.idempotencyKey;
    const doc = splitText(order);
    let written: number;
    let fed: string | undefined;
    try {
      const { rows } = await tx.query<{ written: number; fed?: string }>(this.sql.create, [
        order.id,
        order.number,
        order.customerId,
        order.status,
        order.createdAt,
        order.updatedAt,
        nextDueAt(order),
        doc,
        JSON.stringify(options.events),
        JSON.stringify(options.effects),
        key ?? null,
        this.channelInside,
        order.updatedAt,
        requestJson(key, options.idempotencyRequest),
        tailsJson(this.lists.entries(order, 0)),
        key === undefined ? null : storedOrderText(order),
      ]);
      written = Number(rows[0]?.written ?? 0);
      fed = rows[0]?.fed;
    } catch (error) {
      throw this.translate(error, order.id);
    }
    if (written === 0) {
      const byId = await tx.query(this.sql.versionOf, [order.id]);
      if (byId.rows.length > 0) throw new OrderExistsError(order.id, 'id');
      const holder = await tx.query<{ id: string }>(this.sql.numberHolder, [order.number]);
      if (holder.rows.length > 0) throw new OrderExistsError(holder.rows[0]!.id, 'number');
      throw new VersionConflictError(order.id, 0);
    }
    // Before the caller's transaction commits: a bare wake-up, no change that may yet roll back.
    // The lists are not remembered: the transaction may yet roll back.
    this.announce(undefined);
    return copyJson(order);
  }

  /**
   * Where `create` writes: the store's database, or the transaction the caller opened on it
   * (`CreateOptions.transaction`: the PostgreSQL inventory holds the stock in the same one,
   * docs/inventory.md).
   */
  private executorFor(options: CreateOptions): SqlExecutor {
    const tx = options.transaction as SqlExecutor | undefined;
    if (tx === undefined) return this.driver;
    if (tx === null || typeof tx.query !== 'function') throw transactionUnsupported('PostgresOrderStore (transaction must be a SqlExecutor)');
    return tx;
  }

  async commit(input: CommitInput): Promise<void> {
    checkCommitInput(input);
    return this.batcher === null ? this.commitAlone(input) : this.batcher.commit(input);
  }

  /** One commit in its own statement. */
  private async commitAlone(input: CommitInput): Promise<void> {
    const { order, expectedVersion } = input;
    let written: number;
    let fed: string | undefined;
    try {
      const { rows } = await this.driver.query<{ written: number; fed?: string }>(this.sql.commit, [
        order.id,
        expectedVersion,
        order.version,
        order.status,
        order.customerId,
        order.updatedAt,
        nextDueAt(order),
        splitText(order),
        JSON.stringify(input.events),
        JSON.stringify(input.effects),
        input.idempotencyKey ?? null,
        this.channelInside,
        order.updatedAt,
        requestJson(input.idempotencyKey, input.idempotencyRequest),
        tailsJson(this.lists.entries(order, expectedVersion)),
        input.idempotencyKey === undefined ? null : storedOrderText(order),
      ]);
      written = Number(rows[0]?.written ?? 0);
      fed = rows[0]?.fed;
    } catch (error) {
      throw this.translate(error, order.id, expectedVersion);
    }
    if (written === 1) {
      this.announce(fed);
      this.lists.remember(order);
      return;
    }
    const { rows } = await this.driver.query<{ version: number }>(this.sql.versionOf, [order.id]);
    const current = rows[0];
    if (!current) throw new OrderNotFoundError(order.id);
    throw new VersionConflictError(order.id, expectedVersion, Number(current.version));
  }

  /**
   * Several consecutive commits of ONE order in one statement (docs/storage.md, "Hot orders"):
   * each input's expectedVersion is the previous input's order.version. One compare-and-set on the
   * first expected version writes the last order; every step keeps its events, effects, idempotency
   * record and change-feed row. All or nothing: a conflict writes none of them.
   */
  async commitChain(inputs: CommitInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const first = inputs[0]!;
    checkChain(inputs);
    if (inputs.length === 1) return this.commit(first);
    const id = first.order.id;
    let written: number;
    let fed: string | undefined;
    try {
      const { rows } = await this.driver.query<{ written: number; fed?: string }>(this.sql.commitChain, [commitManyBatch(inputs, this.lists, true), this.channelInside]);
      written = Number(rows[0]?.written ?? 0);
      fed = rows[0]?.fed;
    } catch (error) {
      throw this.translate(error, id, first.expectedVersion);
    }
    if (written === 1) {
      this.announce(fed);
      this.lists.remember(inputs[inputs.length - 1]!.order);
      return;
    }
    const { rows } = await this.driver.query<{ version: number }>(this.sql.versionOf, [id]);
    const current = rows[0];
    if (!current) throw new OrderNotFoundError(id);
    throw new VersionConflictError(id, first.expectedVersion, Number(current.version));
  }

  /**
   * Several commits (of different orders) in one statement, for group commit: per input,
   * undefined when written or the error it gets. Statement errors are thrown untranslated.
   */
  private async commitTogether(inputs: CommitInput[]): Promise<Array<unknown | undefined>> {
    const committed = await this.writeMany(inputs);
    // From here on the statement has committed: nothing below may reject the whole batch (the
    // batcher would write its commits again), so a failure only reaches the commits that missed.
    const missed = inputs.filter((input) => !committed.has(input.order.id));
    const versions = new Map<string, number>();
    let unknown: unknown;
    if (missed.length > 0) {
      try {
        const { rows } = await this.driver.query<{ id: string; version: number }>(this.sql.versionsOf, [missed.map((input) => input.order.id)]);
        for (const row of rows) versions.set(row.id, Number(row.version));
      } catch (error) {
        unknown = error;
      }
    }
    return inputs.map(({ order, expectedVersion }) => {
      if (committed.has(order.id)) return undefined;
      if (unknown !== undefined) return unknown;
      const current = versions.get(order.id);
      return current === undefined ? new OrderNotFoundError(order.id) : new VersionConflictError(order.id, expectedVersion, current);
    });
  }

  /**
   * The commitMany statement: the ids it wrote. Announces them in 'after-commit' mode, or, inside a
   * transaction (`executor`), hands what it logged to `inTransaction` to announce after the commit.
   * `stored`: the documents as read, for orders whose commit may be written as a patch (sweepDue).
   */
  private async writeMany(
    inputs: CommitInput[],
    executor: SqlExecutor = this.driver,
    inTransaction?: (fed: string | undefined) => void,
    stored?: Map<string, Order>,
  ): Promise<Set<string>> {
    const { rows } = await executor.query<{ ids: string; fed?: string }>(this.sql.commitMany, [commitManyBatch(inputs, this.lists, false, stored), this.channelInside]);
    const committed = new Set(JSON.parse(rows[0]?.ids ?? '[]') as string[]);
    // Inside a caller's transaction (sweepDue) the rows may yet roll back: nothing is remembered.
    if (executor === this.driver) for (const input of inputs) if (committed.has(input.order.id)) this.lists.remember(input.order);
    if (executor === this.driver) this.announce(rows[0]?.fed);
    else inTransaction?.(rows[0]?.fed);
    return committed;
  }

  /**
   * The sweep's batch in one transaction (docs/storage.md, "Sweeping"): the due orders are claimed
   * with row locks (FOR UPDATE SKIP LOCKED), so batches of concurrent sweepers never overlap and
   * no lease row is written for an order that is committed; `decide` runs while they are held, its
   * commits leave in one commitMany statement, and whatever was claimed but not committed gets the
   * lease findDue would have given it. The row locks also keep every commit's compare-and-set true.
   */
  async sweepDue(now: Date, limit: number, decide: (due: Order[]) => CommitInput[], options: FindDueOptions = {}): Promise<{ claimed: number; committed: string[] }> {
    const leaseMs = options.leaseMs ?? DEFAULT_DUE_LEASE_MS;
    let fed: string | undefined;
    const result = await this.driver.transaction(async (tx) => {
      const { rows: locked } = await tx.query<{ id: string }>(this.sql.claimDue, [now.toISOString(), Math.max(0, Math.floor(limit))]);
      if (locked.length === 0) return { claimed: 0, committed: [] as string[] };
      const { rows } = await tx.query<OrderRow>(this.sql.loadClaimed, [locked.map((row) => row.id)]);
      // An order decoded from exactly what its row holds (checksum intact, current version) is
      // written back as the fields that changed (docs/storage.md "Sweeping").
      const exact = new Map<string, Order>();
      const due = decodeAll(
        rows.map((row) => () => {
          const intact = this.intact(row);
          const order = this.decodeRow(row, intact);
          if (intact && row.doc.endsWith(CURRENT_VERSION_TAIL)) exact.set(order.id, order);
          return order;
        }),
        options.onCorrupt,
      );
      const claimed = new Map(due.map((order) => [order.id, order.version]));
      const inputs = decide(due);
      const seen = new Set<string>();
      for (const input of inputs) {
        checkCommitInput(input);
        const id = input.order.id;
        if (claimed.get(id) !== input.expectedVersion || seen.has(id)) {
          throw invalidCommit(id, 'sweepDue: a commit for an order not handed to decide at that version', 'sweepDue：提交的订单不在本批或版本不符');
        }
        seen.add(id);
      }
      const committed = inputs.length === 0 ? new Set<string>() : await this.writeMany(inputs, tx, (logged) => (fed = logged), exact);
      const left = locked.map((row) => row.id).filter((id) => !committed.has(id));
      if (left.length > 0) await tx.query(this.sql.leaseDue, [left, new Date(now.getTime() + leaseMs).toISOString()]);
      return { claimed: locked.length, committed: [...committed] };
    });
    if (fed !== undefined) this.announce(fed);
    return result;
  }

  async commitMany(inputs: CommitInput[]): Promise<CommitOutcome[]> {
    if (inputs.length === 0) return [];
    const seen = new Set<string>();
    for (const input of inputs) {
      checkCommitInput(input);
      if (seen.has(input.order.id)) throw invalidCommit(input.order.id, 'the same order twice in one commitMany', 'commitMany 中同一订单出现两次');
      seen.add(input.order.id);
    }
    let committed: Set<string>;
    try {
      committed = await this.writeMany(inputs);
    } catch (error) {
      // A key taken before the statement, or by an earlier input of it, breaks the key's primary
      // key and rolls the whole statement back. Each input is its own compare-and-set: they go
      // again one by one, and the one whose key is taken meets its conflict alone.
      if (!violated(error, 'idempotency_pkey')) throw this.translate(error, inputs[0]!.order.id);
      const outcomes: CommitOutcome[] = [];
      for (const input of inputs) {
        try {
          await this.commitAlone(input);
          outcomes.push(ok());
        } catch (alone) {
          if (!isVersionConflict(alone) && (alone as { code?: unknown } | null)?.code !== STORAGE_ERROR_CODES.orderNotFound) throw alone;
          outcomes.push({ ok: false, conflict: true });
        }
      }
      return outcomes;
    }
    return inputs.map((input) => (committed.has(input.order.id) ? ok() : { ok: false, conflict: true }));
  }

  async history(id: string): Promise<OrderEvent[]> {
    if (!isStorableString(id)) return [];
    const { rows } = await this.driver.query<{ doc: string }>(this.sql.history, [id]);
    return rows.map((row) => decodeEvent(id, row.doc));
  }

  async list(query: ListQuery): Promise<OrderPage> {
    const q = normalizeListQuery(query);
    const { text, params } = buildListQuery(this.sql, q);
    const { rows } = await this.driver.query<OrderRow>(text, params);
    const items = rows.slice(0, q.limit).map((row) => this.decodeRow(row));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
  }

  async findDue(now: Date, limit: number, options: FindDueOptions = {}): Promise<Order[]> {
    const leaseMs = options.leaseMs ?? DEFAULT_DUE_LEASE_MS;
    const { rows } = await this.driver.query<OrderRow>(this.sql.findDue, [
      now.toISOString(),
      Math.max(0, Math.floor(limit)),
      new Date(now.getTime() + leaseMs).toISOString(),
    ]);
    return decodeAll(rows.map((row) => () => this.decodeRow(row)), options.onCorrupt);
  }

  async findIdempotency(key: string): Promise<IdempotencyRecord | null> {
    if (!isStorableString(key)) return null;
    const { rows } = await this.driver.query<{ key: string; order_id: string; version: number; doc: string }>(this.sql.findIdempotency, [key]);
    const row = rows[0];
    if (!row) return null;
    const result = JSON.parse(row.doc) as { order: Order; events: OrderEvent[]; effects: Effect[]; request?: IdempotencyRequest | null };
    const record: IdempotencyRecord = { key: row.key, orderId: row.order_id, version: Number(row.version), order: decodeRecordOrder(row.order_id, result.order), events: result.events, effects: result.effects };
    // Records written before scoped keys have no request (and are never replayed by the service).
    if (result.request) record.request = result.request;
    return record;
  }

  async enqueueEffects(effects: Effect[], now: Date = new Date()): Promise<string[]> {
    if (effects.length === 0) return [];
    const { rows } = await this.driver.query<{ id: string }>(this.sql.enqueue, [JSON.stringify(effects), now.toISOString()]);
    const written = new Set(rows.map((r) => r.id));
    return effects.map((e) => e.id).filter((id, i, all) => written.has(id) && all.indexOf(id) === i);
  }

  async claim(limit: number, leaseMs: number, now: Date = new Date()): Promise<OutboxEntry[]> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    // One token for this claim: it is checked per effect, so it need not differ between them.
    const leaseToken = randomBytes(12).toString('hex');
    const { rows } = await this.driver.query<{
      id: string;
      order_id: string;
      doc: string;
      attempts: number;
      last_error: string | null;
      available_at: Date | string;
      seq: string;
    }>(this.sql.claim, [now.toISOString(), Math.max(0, Math.floor(limit)), leaseUntil.toISOString(), leaseToken]);
    // Oldest first, but an order's effects always in the order they were written (their seq).
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const headAt = new Map<string, number>();
    for (const row of rows) if (!headAt.has(row.order_id)) headAt.set(row.order_id, new Date(row.available_at).getTime());
    rows.sort((a, b) => headAt.get(a.order_id)! - headAt.get(b.order_id)! || Number(a.seq) - Number(b.seq));
    return rows.map((row) => {
      const entry: OutboxEntry = { effect: JSON.parse(row.doc) as Effect, attempts: Number(row.attempts) - 1, leaseUntil, leaseToken };
      if (row.last_error !== null) entry.lastError = row.last_error;
      return entry;
    });
  }

  async complete(effectId: string, now: Date = new Date(), leaseToken?: string): Promise<void> {
    await this.driver.query(this.sql.complete, [effectId, now.toISOString(), leaseToken ?? null]);
  }

  async release(effectIds: string[], leaseTokens?: ReadonlyArray<string | undefined>): Promise<void> {
    if (effectIds.length === 0) return;
    await this.driver.query(this.sql.release, [effectIds, effectIds.map((_, i) => leaseTokens?.[i] ?? null)]);
  }

  async fail(effectId: string, retryAt: Date, reason?: string, leaseToken?: string): Promise<void> {
    await this.driver.query(this.sql.fail, [effectId, retryAt.toISOString(), reason ?? null, leaseToken ?? null]);
  }

  /**
   * The change feed (docs/storage.md, "Change feed"): live from now, or from `since`. Changes come
   * from the change log in position order; NOTIFY only wakes the reader.
   */
  subscribe(listener: OrderChangeListener, options?: SubscribeOptions): Promise<Unsubscribe> {
    return this.feed.add(listener, options);
  }

  async changesSince(since: string | null, limit: number): Promise<OrderChange[]> {
    return (await this.readChanges(since, limit)).changes;
  }

  private async readChanges(since: string | null, limit: number): Promise<FeedPage> {
    const [xid, seq] = fromPosition(since);
    const { rows } = await this.driver.query<{ rows: string; held: boolean }>(this.sql.changesSince, [xid, seq, Math.max(0, Math.floor(limit))]);
    const row = rows[0];
    const page = JSON.parse(row?.rows ?? '[]') as Array<{ xid: string; seq: string; order_id: string; version: number; status: OrderChange['status']; at: string }>;
    return {
      changes: page.map((c) => ({ orderId: c.order_id, version: Number(c.version), status: c.status, at: c.at, position: toPosition(c.xid, c.seq) })),
      held: row?.held === true,
    };
  }

  private async feedHead(): Promise<string | null> {
    const { rows } = await this.driver.query<{ xid: string; seq: string }>(this.sql.feedHead);
    const row = rows[0];
    return row ? toPosition(row.xid, row.seq) : null;
  }

  /** Sends what is still queued for the change feed and stops its LISTEN connection. The pool or PGlite instance stays open. */
  async close(): Promise<void> {
    await this.announcing;
    await this.feed.close();
  }

  /** Whether the row's document is the one the store wrote (its checksum matches). */
  private intact(row: OrderRow): boolean {
    return row.doc_md5 !== null && createHash('md5').update(row.doc, 'utf8').digest('hex') === row.doc_md5;
  }

  private decodeRow(row: OrderRow, intact = this.intact(row)): Order {
    const lastEvent = row.last_event === null ? null : Number(row.last_event);
    if (row.doc.includes(TAILS_MARK)) {
      const joined = joinDocument(row.id, row.doc, row.tails ?? null);
      if (joined.split) {
        const order = decodeOrder(row.id, joined.doc, Number(row.version), lastEvent, undefined, intact && joined.intact);
        this.lists.remember(order);
        return order;
      }
    }
    return decodeOrder(row.id, row.doc, Number(row.version), lastEvent, this.checked, intact);
  }

  private async orderOfKey(key: string): Promise<Order | null> {
    const record = await this.findIdempotency(key);
    return record ? this.load(record.orderId) : null;
  }

  /** Database errors that mean something in the port's terms become the port's typed errors. */
  private translate(error: unknown, orderId: string, expectedVersion?: number): unknown {
    if (violated(error, 'order_events_pkey')) {
      return new CorruptOrderError(orderId, 'version_went_backwards', 'events for this version already exist');
    }
    if (violated(error, 'idempotency_pkey')) return new VersionConflictError(orderId, expectedVersion ?? 0);
    if (violated(error, 'outbox_pkey')) {
      return invalidCommit(orderId, 'an effect id is already in the outbox', '副作用 id 已在发件箱中');
    }
    return error;
  }
}


/**
 * The after-commit NOTIFY payloads for queued changes: JSON arrays of logged changes, each under
 * NOTICE_BYTES; a bare wake-up (null) or a change too long to send becomes an empty payload.
 */
function noticePayloads(queued: unknown[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  let bare = false;
  for (const entry of queued) {
    const text = entry === null ? '' : JSON.stringify(entry);
    const size = Buffer.byteLength(text, 'utf8') + 1;
    if (text === '' || size + 2 >= NOTICE_BYTES) {
      bare = true;
      continue;
    }
    if (bytes + size >= NOTICE_BYTES) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(text);
    bytes += size;
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`);
  if (bare) payloads.push('');
  return payloads;
}

/**
 * The changes a NOTIFY payload names (the store's `fed` arrays), as the feed hands them to
 * `onNotified`; an empty or foreign payload names none.
 */
export function noticeChanges(payload: string): OrderChange[] {
  if (payload === '' || payload[0] !== '[') return [];
  try {
    const entries = JSON.parse(payload) as unknown[];
    const changes: OrderChange[] = [];
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 6) continue;
      const [orderId, version, status, at, xid, seq] = e as [unknown, unknown, unknown, unknown, unknown, unknown];
      if (typeof orderId !== 'string' || typeof version !== 'number' || typeof status !== 'string' || typeof at !== 'string' || typeof xid !== 'string' || typeof seq !== 'string') continue;
      changes.push({ orderId, version, status: status as OrderChange['status'], at, position: toPosition(xid, seq) });
    }
    return changes;
  } catch {
    return [];
  }
}

/** The list entries a create or commit writes ($15), as JSON text. */
function tailsJson(entries: TailEntry[]): string {
  return JSON.stringify(entries);
}

/** The idempotency request as the statements take it ($14): JSON text, null without a key. */
function requestJson(key: string | undefined, request: IdempotencyRequest | undefined): string | null {
  return key === undefined || request === undefined ? null : JSON.stringify(request);
}

function violated(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown };
  return e !== null && typeof e === 'object' && e.code === '23505' && e.constraint === constraint;
}

/**
 * The commitMany (and commitChain) statement's $1: the commits as one JSON array. For a chain
 * (`chain`: numbered steps of one order) only the last step's document is written to the row, so
 * the others carry none unless their idempotency record needs it: a chain of k commands sends one
 * document, not k.
 */
function commitManyBatch(inputs: CommitInput[], lists: TailMemory, chain = false, stored?: Map<string, Order>): string {
  const last = inputs.length - 1;
  return JSON.stringify(
    inputs.map(({ order, expectedVersion, events, effects, idempotencyKey, idempotencyRequest }, n) => {
      const read = idempotencyKey === undefined ? stored?.get(order.id) : undefined;
      // A patch names top-level fields: a commit that changes a list writes the whole document.
      const before = read !== undefined && read.shipments === order.shipments && read.merchantNotes === order.merchantNotes ? read : undefined;
      return {
        ...(chain ? { n } : {}),
        id: order.id,
        expected: expectedVersion,
        version: order.version,
        status: order.status,
        customer_id: order.customerId,
        updated_at: order.updatedAt,
        due_at: nextDueAt(order),
        // With the document it was decided from (sweepDue), only the fields that changed.
        ...(before !== undefined ? { doc: null, ...changedFields(before, order) } : { doc: chain && n !== last ? null : splitDocument(order) }),
        events,
        effects,
        idem_key: idempotencyKey ?? null,
        idem_request: idempotencyKey === undefined ? null : idempotencyRequest ?? null,
        at: order.updatedAt,
        // A chain writes the last step's row: its entries, over the version the chain starts from.
        tails: chain ? (n === last ? lists.entries(order, inputs[0]!.expectedVersion) : null) : lists.entries(order, expectedVersion),
        // An idempotency record keeps the whole order its command answered with.
        idem_doc: idempotencyKey === undefined ? null : storedOrderDocument(order),
      };
    }),
  );
}

/**
 * What turns the stored document of `before` into that of `after` (commitMany's `patch` and
 * `unset`): the top-level fields whose value is another object or value (transition() returns a
 * new object for what it changes and shares the rest), and those that are gone.
 */
function changedFields(before: Order, after: Order): { patch: Record<string, unknown>; unset: string[] } {
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const key of Object.keys(a)) {
    if (a[key] === undefined) continue;
    if (a[key] !== b[key]) patch[key] = a[key];
  }
  for (const key of Object.keys(b)) if (b[key] !== undefined && a[key] === undefined) unset.push(key);
  return { patch, unset };
}

/** A commitChain input: every step checked, all of one order, each starting where the previous ended. */
function checkChain(inputs: CommitInput[]): void {
  const id = inputs[0]!.order.id;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    checkCommitInput(input);
    if (input.order.id !== id) throw invalidCommit(id, `commitChain: step ${i} is for another order (${input.order.id})`, `commitChain：第 ${i} 步属于其他订单（${input.order.id}）`);
    if (i > 0 && input.expectedVersion !== inputs[i - 1]!.order.version) {
      throw invalidCommit(id, `commitChain: step ${i} must expect version ${inputs[i - 1]!.order.version}, got ${input.expectedVersion}`, `commitChain：第 ${i} 步的 expectedVersion 必须是 ${inputs[i - 1]!.order.version}`);
    }
  }
}
