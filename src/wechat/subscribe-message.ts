import { formatInZone, isKnownTimeZone } from '../time/zoned.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';
import type { Order } from '../order/index.js';
import { AN_OBJECT, AN_ORDER, badArgument, isObject, reject, same } from './errors.js';
import { charLength, cutChars, describe, isRecord } from './text.js';
import { isValidDate } from './time.js';
import { fail, ok, type Result, type Failure } from '../errors/result.js';

/**
 * 订阅消息 (subscribe messages). Every field of a template has a kind, visible in its key
 * (`thing1`, `amount2`, `character_string3`), and WeChat refuses the whole message when one value
 * breaks its kind's rule. Values are built and checked here, before the call, so that a long product
 * name cannot silently cost the shopper their "order shipped" message.
 */
export const SUBSCRIBE_FIELD_KINDS = [
  'thing',
  'phrase',
  'character_string',
  'number',
  'amount',
  'date',
  'time',
  'name',
  'phone_number',
  'car_number',
  'letter',
  'symbol',
] as const;
export type SubscribeFieldKind = (typeof SUBSCRIBE_FIELD_KINDS)[number];

/** What a field function may return: text, a number (fen for `amount`), or a Date (`date`/`time`). */
export type SubscribeFieldValue = string | number | Date;

export interface SubscribeContext {
  /** The `notify` effect's data (order number, amounts, tracking number…), or {} */
  data: Record<string, unknown>;
  timeZone: string;
}

export type SubscribeFieldFn = (order: Order, ctx: SubscribeContext) => SubscribeFieldValue;

export interface SubscribeFieldSpec {
  /** Default: read from the key (`thing1` → 'thing'). */
  kind?: SubscribeFieldKind;
  value: SubscribeFieldFn;
  /**
   * Too long: 'truncate' cuts on whole characters with '…', 'reject' fails the message. Default
   * 'truncate' for thing and name (free text), 'reject' for every other kind (a cut order number or
   * amount would be wrong, not just short).
   */
  overflow?: 'truncate' | 'reject';
}

export interface SubscribeTemplate {
  templateId: string;
  /** Page opened from the message, e.g. `pages/order/detail?id=…`. */
  page?: string | ((order: Order, ctx: SubscribeContext) => string);
  /** Template keys → a function, or a spec with an explicit kind or overflow rule. */
  fields: Record<string, SubscribeFieldFn | SubscribeFieldSpec>;
}

export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
}

export interface BuildSubscribeOptions {
  /** Default `order.customerId` (the openid). */
  touser?: string;
  /** Passed to the field functions as `ctx.data` (the notify effect's data). */
  data?: Record<string, unknown>;
  /** Zone for Date values. Default 'Asia/Shanghai'. */
  timeZone?: string;
  miniprogramState?: SubscribeMessage['miniprogram_state'];
  lang?: SubscribeMessage['lang'];
}

/** Each kind's rule: the maximum length (characters) and what the text may contain. */
const RULES: Record<SubscribeFieldKind, { max: number; pattern?: RegExp; en: string; zh: string }> = {
  thing: { max: 20, en: 'up to 20 characters', zh: '20 个字以内' },
  phrase: { max: 5, pattern: /^[\u4e00-\u9fff]+$/, en: 'up to 5 Chinese characters only', zh: '5 个以内纯汉字' },
  character_string: { max: 32, pattern: /^[\x21-\x7e]+$/, en: 'up to 32 letters, digits or symbols', zh: '32 位以内数字、字母或符号' },
  number: { max: 32, pattern: /^\d+(\.\d+)?$/, en: 'up to 32 digits, decimals allowed', zh: '32 位以内数字，可带小数' },
  amount: {
    max: 20,
    pattern: /^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$/,
    en: 'a currency sign and up to 10 digits, optional decimals and 元',
    zh: '1 个币种符号 + 10 位以内数字，可带小数，结尾可带“元”',
  },
  date: { max: 40, en: 'a date such as 2026年11月25日 12:30', zh: '年月日格式（可带 24 小时制时间）' },
  time: { max: 40, en: 'a 24-hour time such as 15:01', zh: '24 小时制时间格式（可带年月日）' },
  name: { max: 20, en: 'up to 10 Chinese characters or 20 letters', zh: '10 个以内汉字或 20 个以内字母' },
  phone_number: { max: 17, pattern: /^[\d+\-() ]+$/, en: 'up to 17 digits and symbols', zh: '17 位以内数字、符号' },
  car_number: { max: 8, en: 'up to 8 characters', zh: '8 位以内' },
  letter: { max: 32, pattern: /^[A-Za-z]+$/, en: 'up to 32 letters', zh: '32 位以内字母' },
  symbol: { max: 5, pattern: /^[^0-9A-Za-z\u4e00-\u9fff\s]+$/, en: 'up to 5 symbols', zh: '5 位以内符号' },
};

function kindOfKey(key: string): SubscribeFieldKind | undefined {
  const base = key.replace(/\d+$/, '');
  return (SUBSCRIBE_FIELD_KINDS as readonly string[]).includes(base) ? (base as SubscribeFieldKind) : undefined;
}


function hasChinese(text: string): boolean {
  return /[\u4e00-\u9fff]/.test(text);
}

function formatValue(kind: SubscribeFieldKind, value: SubscribeFieldValue, timeZone: string): string | null {
  if (isValidDate(value)) {
    if (kind === 'time' || kind === 'date') return formatInZone(value, timeZone, 'yyyy年M月d日 HH:mm');
    return null;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // An amount is fen, like every amount in orderkit: 1250 → '12.50元'.
    if (kind === 'amount') return Number.isSafeInteger(value) ? `${formatFen(value, { symbol: '', grouping: false })}元` : null;
    return String(value);
  }
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').trim();
  return null;
}

/** One field's final text, or why it cannot be sent. */
export function subscribeFieldValue(
  kind: SubscribeFieldKind,
  value: SubscribeFieldValue,
  options: { overflow?: 'truncate' | 'reject'; timeZone?: string } = {},
): { ok: true; value: string } | { ok: false; reason: { 'zh-CN': string; en: string } } {
  if (typeof kind !== 'string' || !(SUBSCRIBE_FIELD_KINDS as readonly string[]).includes(kind)) {
    throw badArgument('subscribeFieldValue', 'kind', { 'zh-CN': `${SUBSCRIBE_FIELD_KINDS.join('、')} 之一`, en: `one of ${SUBSCRIBE_FIELD_KINDS.join(', ')}` });
  }
  if (!isObject(options)) throw badArgument('subscribeFieldValue', 'options', AN_OBJECT);
  if (options.timeZone !== undefined && (typeof options.timeZone !== 'string' || !isKnownTimeZone(options.timeZone))) {
    throw badArgument('subscribeFieldValue', 'options.timeZone', { 'zh-CN': 'IANA 时区名', en: 'an IANA time zone name' });
  }
  const rule = RULES[kind];
  const text = formatValue(kind, value, options.timeZone ?? 'Asia/Shanghai');
  if (text === null) return { ok: false, reason: { 'zh-CN': `取值 ${describe(value)} 不能用于 ${kind}`, en: `${describe(value)} cannot be a ${kind}` } };
  if (text === '') return { ok: false, reason: { 'zh-CN': '不能为空', en: 'must not be empty' } };
  const max = kind === 'name' && hasChinese(text) ? 10 : rule.max;
  const overflow = options.overflow ?? (kind === 'thing' || kind === 'name' ? 'truncate' : 'reject');
  let out = text;
  if (charLength(out) > max) {
    if (overflow === 'reject') return { ok: false, reason: { 'zh-CN': `超出长度：${rule.zh}`, en: `too long: ${rule.en}` } };
    out = cutChars(out, max);
  }
  if (rule.pattern && !rule.pattern.test(out)) return { ok: false, reason: { 'zh-CN': `格式不符：${rule.zh}`, en: `wrong format: ${rule.en}` } };
  if ((kind === 'date' || kind === 'time') && !/\d/.test(out)) return { ok: false, reason: { 'zh-CN': rule.zh, en: rule.en } };
  return ok({ value: out });
}

/**
 * A subscribe message for an order, every field checked against its kind's limit: `thing` ≤ 20
 * characters (cut with '…' by default), `phrase` ≤ 5 Chinese characters, `character_string` and
 * `number` ≤ 32, `amount` from fen ('12.50元'), `date`/`time` from a Date in the shop's zone,
 * `name` ≤ 10 Chinese characters or 20 letters, and so on. Anything that cannot be sent as is
 * fails with `SUBSCRIBE_FIELD_INVALID` and the field's path.
 *
 * @example
 * const shipped: SubscribeTemplate = {
 *   templateId: 'TEMPLATE_ID',
 *   page: (o) => `pages/order/detail?id=${o.id}`,
 *   fields: {
 *     character_string1: (o) => o.number,
 *     thing2: (o) => o.lines[0].title,
 *     amount3: (o) => o.pricing.total,
 *     phrase4: () => '已发货',
 *   },
 * };
 * const m = buildSubscribeMessage(shipped, order);
 * if (m.ok) await sendSubscribeMessage((msg) => cloud.openapi.subscribeMessage.send(toCloudSubscribeMessage(msg)), m.message);
 */
export function buildSubscribeMessage(
  template: SubscribeTemplate,
  order: Order,
  options: BuildSubscribeOptions = {},
): Result<{ message: SubscribeMessage }> {
  if (!isRecord(template) || typeof template.templateId !== 'string' || template.templateId === '' || !isRecord(template.fields)) {
    return reject('INVALID_CONFIG', { path: ['template'], detail: same('templateId and fields are required') });
  }
  if (typeof order !== 'object' || order === null || Array.isArray(order)) return fail(badArgument('buildSubscribeMessage', 'order', AN_ORDER));
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return fail(badArgument('buildSubscribeMessage', 'options', AN_OBJECT));
  if (options.timeZone !== undefined && (typeof options.timeZone !== 'string' || !isKnownTimeZone(options.timeZone))) {
    return reject('INVALID_CONFIG', { path: ['options', 'timeZone'], detail: same('not an IANA time zone') });
  }
  const touser = options.touser ?? order.customerId;
  if (!touser) return reject('MISSING_OPENID', { path: ['touser'] });
  const ctx: SubscribeContext = { data: options.data ?? {}, timeZone: options.timeZone ?? 'Asia/Shanghai' };
  const data: Record<string, { value: string }> = {};
  for (const key of Object.keys(template.fields)) {
    const source = template.fields[key]!;
    if (typeof source !== 'function' && !(isRecord(source) && typeof source.value === 'function')) {
      return reject('INVALID_CONFIG', { path: ['template', 'fields', key], detail: same(`${key} must be a function of the order, or { value, kind?, overflow? }`) });
    }
    const spec: SubscribeFieldSpec = typeof source === 'function' ? { value: source } : source;
    const kind = spec.kind ?? kindOfKey(key);
    if (!kind || !(SUBSCRIBE_FIELD_KINDS as readonly string[]).includes(kind)) {
      return reject('INVALID_CONFIG', { path: ['template', 'fields', key], detail: same(`cannot tell the kind of ${key}: name it like thing1 or give kind`) });
    }
    let raw: SubscribeFieldValue;
    try {
      raw = spec.value(order, ctx);
    } catch (e) {
      return reject('SUBSCRIBE_FIELD_INVALID', { path: ['data', key], detail: same(e instanceof Error ? e.message : 'the field function failed') });
    }
    const checked = subscribeFieldValue(kind, raw, { ...(spec.overflow ? { overflow: spec.overflow } : {}), timeZone: ctx.timeZone });
    if (!checked.ok) {
      return reject('SUBSCRIBE_FIELD_INVALID', {
        path: ['data', key],
        detail: { 'zh-CN': `${key}（${kind}）${checked.reason['zh-CN']}`, en: `${key} (${kind}): ${checked.reason.en}` },
      });
    }
    data[key] = { value: checked.value };
  }
  const message: SubscribeMessage = { touser, template_id: template.templateId, data };
  if (template.page !== undefined) {
    try {
      message.page = typeof template.page === 'function' ? template.page(order, ctx) : template.page;
    } catch (e) {
      return reject('INVALID_CONFIG', { path: ['template', 'page'], detail: same(e instanceof Error ? e.message : 'the page function failed') });
    }
  }
  if (options.miniprogramState) message.miniprogram_state = options.miniprogramState;
  if (options.lang) message.lang = options.lang;
  return ok({ message });
}

/** The same message in the camelCase that `cloud.openapi.subscribeMessage.send` takes. */
export function toCloudSubscribeMessage(message: SubscribeMessage): Record<string, unknown> {
  if (!isObject(message)) throw badArgument('toCloudSubscribeMessage', 'message', AN_OBJECT);
  const out: Record<string, unknown> = { touser: message.touser, templateId: message.template_id, data: message.data };
  if (message.page !== undefined) out.page = message.page;
  if (message.miniprogram_state !== undefined) out.miniprogramState = message.miniprogram_state;
  if (message.lang !== undefined) out.lang = message.lang;
  return out;
}

/** WeChat's "the user has no subscription left for this template" error code. */
export const NO_SUBSCRIPTION_ERRCODE = 43101;

function errcodeOf(value: unknown): number | undefined {
  if (!isRecord(value) && !(value instanceof Error)) return undefined;
  const v = value as { errcode?: unknown; errCode?: unknown };
  const code = v.errcode ?? v.errCode;
  const n = typeof code === 'string' ? Number(code) : code;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** True for 43101, whether it came back as `{ errcode }` or was thrown as an error with `errCode`. */
export function isNoSubscriptionError(value: unknown): boolean {
  return errcodeOf(value) === NO_SUBSCRIPTION_ERRCODE;
}

export type SendSubscribeResult =
  | { ok: true; delivered: true; response: unknown }
  | { ok: true; delivered: false; reason: 'NO_SUBSCRIPTION' }
  | Failure;

/**
 * Sends a message with your transport and reads the answer: errcode 0 is delivered; 43101 (the
 * user has no subscription left, which happens every day) is `{ ok: true, delivered: false }`, so
 * it never fails an order or an outbox effect; anything else is `SUBSCRIBE_SEND_FAILED`.
 *
 * @example
 * const r = await sendSubscribeMessage((m) => cloud.openapi.subscribeMessage.send(toCloudSubscribeMessage(m)), message);
 * if (!r.ok) throw r.error; // the outbox retries it later
 */
export async function sendSubscribeMessage(send: (message: SubscribeMessage) => Promise<unknown> | unknown, message: SubscribeMessage): Promise<SendSubscribeResult> {
  let response: unknown;
  try {
    response = await send(message);
  } catch (e) {
    if (isNoSubscriptionError(e)) return ok({ delivered: false, reason: 'NO_SUBSCRIPTION' });
    const code = errcodeOf(e);
    return reject('SUBSCRIBE_SEND_FAILED', {
      detail: same(code !== undefined ? `errcode ${code}` : e instanceof Error ? e.message.slice(0, 200) : 'the transport failed'),
      ...(code !== undefined ? { details: { errcode: code } } : {}),
    });
  }
  const code = errcodeOf(response);
  if (code === NO_SUBSCRIPTION_ERRCODE) return ok({ delivered: false, reason: 'NO_SUBSCRIPTION' });
  if (code !== undefined && code !== 0) return reject('SUBSCRIBE_SEND_FAILED', { detail: same(`errcode ${code}`), details: { errcode: code } });
  return ok({ delivered: true, response });
}
