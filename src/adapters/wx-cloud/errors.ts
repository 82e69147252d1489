import { OrderkitError } from '../../errors/orderkit-error.js';

/**
 * The typed errors of the cloud database store. The database answers every failed request with
 * `-502001`, a concurrency quota with `-501004` and a lost answer with `-501002` / `-502011`
 * (page "错误码", see docs/wechat.md); the store never passes those on raw and never takes them
 * for success: it re-reads what it wrote and throws one of these, saying whether the write may
 * have been applied.
 */
export const WX_CLOUD_ERROR_CODES = {
  invalidDatabase: 'INVALID_DATABASE',
  databaseError: 'CLOUD_DATABASE_ERROR',
  quotaExceeded: 'CLOUD_QUOTA_EXCEEDED',
  invalidOptions: 'INVALID_WX_CLOUD_OPTIONS',
} as const;

/** How a failed request ended, from its `errCode` / `errMsg`. */
export type CloudFailureKind = 'duplicate' | 'quota' | 'timeout' | 'conflict' | 'missing_collection' | 'permission' | 'failed';

export interface CloudFailure {
  kind: CloudFailureKind;
  errCode: number | null;
  errMsg: string;
}

function codeOf(error: unknown): number | null {
  if (!error || typeof error !== 'object') return null;
  const raw = (error as { errCode?: unknown; code?: unknown }).errCode ?? (error as { code?: unknown }).code;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : null;
  return n;
}

function textOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { errMsg?: unknown; message?: unknown };
    return String(e.errMsg ?? e.message ?? '');
  }
  return String(error);
}

/**
 * Classifies a failed request. A duplicate key is ONLY a `-502001` whose message carries the
 * E11000 duplicate-key answer: `-502001` alone is "the database request failed", for any reason.
 */
export function classifyCloudError(error: unknown): CloudFailure {
  const errCode = codeOf(error);
  const errMsg = textOf(error);
  const text = errMsg.toLowerCase();
  let kind: CloudFailureKind = 'failed';
  if (/e11000|duplicate key/.test(text)) kind = 'duplicate';
  else if (errCode === -501004 || errCode === -501003 || errCode === -501015 || errCode === -501016) kind = 'quota';
  else if (errCode === -501002 || errCode === -502011 || /timed? ?out|timeout|etimedout|esockettimedout/.test(text)) kind = 'timeout';
  else if (/writeconflict|write conflict|transaction conflict/.test(text)) kind = 'conflict';
  else if (errCode === -502005 || (text.includes('collection') && (text.includes('not exist') || text.includes('not found')))) kind = 'missing_collection';
  else if (errCode === -502003) kind = 'permission';
  return { kind, errCode, errMsg };
}

/** True when an `add` failed because the `_id` is taken (E11000), and only then. */
export function isDuplicateKey(error: unknown): boolean {
  return classifyCloudError(error).kind === 'duplicate';
}

/** A request the database refused before doing anything (quota), or whose answer says nothing applied. */
function refusedBeforeApplying(kind: CloudFailureKind): boolean {
  return kind === 'quota' || kind === 'permission' || kind === 'missing_collection' || kind === 'conflict';
}

/**
 * A cloud database request failed. `mayHaveApplied` says whether the write may have happened
 * anyway (a timeout, or a failure the store could not rule out by reading back); retrying the same
 * call (with the same idempotency key or ids) is always safe: the store recognises its own write.
 */
export class CloudDatabaseError extends OrderkitError {
  readonly operation: string;
  readonly mayHaveApplied: boolean;
  readonly errCode: number | null;

  constructor(operation: string, cause: unknown, mayHaveApplied?: boolean) {
    const failure = classifyCloudError(cause);
    const applied = mayHaveApplied ?? !refusedBeforeApplying(failure.kind);
    const quota = failure.kind === 'quota';
    const en = quota
      ? `the cloud database refused ${operation}: over the environment's quota (${failure.errCode ?? '?'}); nothing was written, retry later`
      : `the cloud database failed during ${operation} (${failure.errCode ?? '?'} ${failure.errMsg.slice(0, 200)}); ${applied ? 'the write MAY have been applied: retry the same call, it is recognised' : 'nothing was written'}`;
    const zh = quota
      ? `云数据库拒绝了 ${operation}：超出环境配额（${failure.errCode ?? '?'}），未写入任何数据，请稍后重试`
      : `云数据库在 ${operation} 时失败（${failure.errCode ?? '?'}）；${applied ? '写入可能已经生效：请原样重试同一请求，存储会识别出自己的写入' : '未写入任何数据'}`;
    super({
      code: quota ? WX_CLOUD_ERROR_CODES.quotaExceeded : WX_CLOUD_ERROR_CODES.databaseError,
      message: { 'zh-CN': zh, en },
      details: { operation, mayHaveApplied: applied, errCode: failure.errCode, kind: failure.kind },
    });
    this.operation = operation;
    this.mayHaveApplied = applied;
    this.errCode = failure.errCode;
  }
}

/** The object given to `WxCloudOrderStore` is not wx-server-sdk's `cloud.database()`. */
export class InvalidDatabaseError extends OrderkitError {
  constructor(reasonEn: string, reasonZh: string) {
    super({
      code: WX_CLOUD_ERROR_CODES.invalidDatabase,
      message: {
        'zh-CN': `请传入 wx-server-sdk 的 cloud.database() 返回的数据库对象：${reasonZh}`,
        en: `pass the database returned by wx-server-sdk's cloud.database(): ${reasonEn}`,
      },
      path: ['db'],
    });
  }
}

/**
 * A duration option of a cloud-database adapter that is not a finite number of milliseconds, at least
 * `min`: refused at construction, with its path, instead of a lease or a wait that silently never
 * ends or never waits.
 */
export function checkDurationOption(value: unknown, path: string, min: number): void {
  if (value === undefined) return;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return;
  throw new OrderkitError({
    code: WX_CLOUD_ERROR_CODES.invalidOptions,
    message: {
      'zh-CN': `${path} 应为不小于 ${min} 的有限毫秒数，收到 ${String(value)}`,
      en: `${path} must be a finite number of milliseconds, at least ${min}; got ${String(value)}`,
    },
    path: [path],
  });
}
