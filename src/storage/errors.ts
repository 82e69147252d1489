import { OrderkitError } from '../errors/orderkit-error.js';

/**
 * The storage port's typed errors. Each is an `OrderkitError` with a stable code, so a caller can
 * switch on `error.code` (which also works when two copies of orderkit are loaded, where
 * `instanceof` would not) or on the class.
 */

/**
 * Stable codes of the storage errors.
 *
 * @example
 * if (error.code === STORAGE_ERROR_CODES.versionConflict) retry();
 */
export const STORAGE_ERROR_CODES = {
  versionConflict: 'VERSION_CONFLICT',
  orderExists: 'ORDER_EXISTS',
  orderNotFound: 'ORDER_NOT_FOUND',
  corruptOrder: 'CORRUPT_ORDER',
  invalidCommit: 'INVALID_COMMIT',
  invalidQuery: 'INVALID_QUERY',
  idempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  invalidFeedPosition: 'INVALID_FEED_POSITION',
} as const;

/**
 * The order changed since it was loaded: the compare-and-set of a commit failed and nothing was
 * written. Reload, apply the command again, and retry (the service does this for you).
 *
 * @example
 * try { await store.commit(input) } catch (e) { if (e instanceof VersionConflictError) retry() }
 */
export class VersionConflictError extends OrderkitError {
  readonly orderId: string;
  readonly expectedVersion: number;

  constructor(orderId: string, expectedVersion: number, actualVersion?: number | null) {
    const found = actualVersion === undefined || actualVersion === null ? '' : `, found ${actualVersion}`;
    const foundZh = actualVersion === undefined || actualVersion === null ? '' : `，实际为 ${actualVersion}`;
    super({
      code: STORAGE_ERROR_CODES.versionConflict,
      message: {
        'zh-CN': `订单 ${orderId} 已被其他操作修改（期望版本 ${expectedVersion}${foundZh}），请重新加载后重试`,
        en: `order ${orderId} was changed by someone else (expected version ${expectedVersion}${found}); reload and retry`,
      },
      details: { orderId, expectedVersion, ...(actualVersion !== undefined ? { actualVersion } : {}) },
    });
    this.orderId = orderId;
    this.expectedVersion = expectedVersion;
  }
}

/**
 * `create` found an order with the same id (or the same order number) that was not created by the
 * same idempotency key.
 *
 * @example
 * await store.create(order, { events: [], effects: [] }).catch((e) => e instanceof OrderExistsError); // true the second time
 */
export class OrderExistsError extends OrderkitError {
  readonly orderId: string;

  constructor(orderId: string, field: 'id' | 'number' = 'id') {
    super({
      code: STORAGE_ERROR_CODES.orderExists,
      message:
        field === 'id'
          ? { 'zh-CN': `订单 ${orderId} 已存在`, en: `order ${orderId} already exists` }
          : { 'zh-CN': `订单号已被订单 ${orderId} 占用`, en: `the order number of ${orderId} is already taken` },
      path: [field],
      details: { orderId, field },
    });
    this.orderId = orderId;
  }
}

/**
 * No order with this id. The service returns it as `{ ok: false, error }`; stores throw it from
 * `commit` when the order row is missing.
 *
 * @example
 * const r = await service.dispatch('nope', { type: 'CANCEL' }, actor);
 * // r.ok === false && r.error.code === 'ORDER_NOT_FOUND'
 */
export class OrderNotFoundError extends OrderkitError {
  readonly orderId: string;

  constructor(orderId: string) {
    super({
      code: STORAGE_ERROR_CODES.orderNotFound,
      message: { 'zh-CN': `找不到订单 ${orderId}`, en: `order ${orderId} not found` },
      details: { orderId },
    });
    this.orderId = orderId;
  }
}

/** Why a stored order could not be trusted. */
export type CorruptionReason = 'invalid_json' | 'invalid_order' | 'id_mismatch' | 'version_mismatch' | 'version_went_backwards' | 'invalid_event' | 'unknown_schema_version';

const REASON_TEXT: Record<CorruptionReason, { 'zh-CN': string; en: string }> = {
  invalid_json: { 'zh-CN': '存储的内容不是合法 JSON', en: 'the stored document is not valid JSON' },
  invalid_order: { 'zh-CN': '存储的内容不符合订单结构', en: 'the stored document does not match the Order schema' },
  id_mismatch: { 'zh-CN': '文档中的订单 id 与行不一致', en: 'the id inside the document differs from the row' },
  version_mismatch: { 'zh-CN': '文档中的版本号与行的版本号不一致', en: 'the version inside the document differs from the row' },
  version_went_backwards: {
    'zh-CN': '版本号比已写入的事件更旧（版本回退）',
    en: 'the version is older than events already written (the version went backwards)',
  },
  invalid_event: { 'zh-CN': '存储的事件不符合事件结构', en: 'a stored event does not match the OrderEvent schema' },
  unknown_schema_version: {
    'zh-CN': '文档的结构版本无法升级到当前版本（由更新版本的 orderkit 写入，或缺少升级函数）',
    en: 'the document has a schema version this code cannot upgrade (written by a newer orderkit, or no upgrade exists)',
  },
};

/**
 * A stored order that fails the `Order` schema, or whose version went backwards. The store refuses
 * to hand it out rather than let a command run on bad data; repair the row (see docs/storage.md).
 *
 * @example
 * try { await store.load('o1') } catch (e) { if (e instanceof CorruptOrderError) log.error(e.orderId, e.reason) }
 */
export class CorruptOrderError extends OrderkitError {
  readonly orderId: string;
  readonly reason: CorruptionReason;

  constructor(orderId: string, reason: CorruptionReason, detail?: string) {
    const text = REASON_TEXT[reason];
    super({
      code: STORAGE_ERROR_CODES.corruptOrder,
      message: {
        'zh-CN': `订单 ${orderId} 的存储数据已损坏：${text['zh-CN']}${detail ? `（${detail}）` : ''}`,
        en: `stored order ${orderId} is corrupt: ${text.en}${detail ? ` (${detail})` : ''}`,
      },
      details: { orderId, reason, ...(detail ? { detail } : {}) },
    });
    this.orderId = orderId;
    this.reason = reason;
  }
}

/** A programming error in a commit input (wrong version step, id mismatch): nothing was written. */
export function invalidCommit(orderId: string, en: string, zh: string): OrderkitError {
  return new OrderkitError({
    code: STORAGE_ERROR_CODES.invalidCommit,
    message: { 'zh-CN': `订单 ${orderId} 的提交无效：${zh}`, en: `invalid commit for order ${orderId}: ${en}` },
    details: { orderId },
  });
}

/** A bad `list` query or cursor. */
export function invalidQuery(path: string, en: string, zh: string): OrderkitError {
  return new OrderkitError({
    code: STORAGE_ERROR_CODES.invalidQuery,
    message: { 'zh-CN': `查询条件 ${path} 无效：${zh}`, en: `invalid query ${path}: ${en}` },
    path: [path],
  });
}

/**
 * True for a `VersionConflictError`, also across two loaded copies of orderkit.
 *
 * @example
 * try { await store.commit({ order, expectedVersion: 3, events: [], effects: [] }) } catch (e) { if (isVersionConflict(e)) return reloadAndRetry(); throw e; }
 */
export function isVersionConflict(error: unknown): error is VersionConflictError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === STORAGE_ERROR_CODES.versionConflict;
}

/**
 * A change-feed position (`since`, an SSE `Last-Event-ID`) that this store cannot have handed out.
 *
 * @example
 * await store.changesSince?.('yesterday', 10) // throws INVALID_FEED_POSITION
 */
export function invalidFeedPosition(position: unknown): OrderkitError {
  const shown = typeof position === 'string' ? JSON.stringify(position.slice(0, 40)) : typeof position;
  return new OrderkitError({
    code: STORAGE_ERROR_CODES.invalidFeedPosition,
    message: {
      'zh-CN': `变更流位置 ${shown} 无效：必须是本存储给出的 position`,
      en: `invalid change-feed position ${shown}: pass back a position this store handed out`,
    },
    path: ['since'],
  });
}

/** `CreateOptions.transaction` given to a store that has no transactions to share. */
export function transactionUnsupported(store: string): OrderkitError {
  return new OrderkitError({
    code: 'UNSUPPORTED',
    message: { 'zh-CN': `${store} 不能在外部事务中写入订单`, en: `${store} cannot write an order inside an outside transaction` },
    path: ['transaction'],
  });
}
