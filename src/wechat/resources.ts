import * as z from '../zod.js';
import { orderNumberOfOutTradeNo } from '../lifecycle/attempts.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { PaymentSucceededSchema, RefundFailedSchema, RefundSucceededSchema, type CommandOf } from '../order/index.js';
import { A_STRING, badArgument, reject, same, WECHAT_ERROR_TEXT } from './errors.js';
import { parseRfc3339 } from './time.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * What a decrypted notification (or a query response, which has the same fields) means for an
 * order. These functions check the business fields and turn them into orderkit commands; the
 * amount is checked against the order later, by `transition()` (`AMOUNT_MISMATCH`), because only
 * the order knows what it should have cost.
 */

/** Who we are: a notification for another merchant or app is refused. */
export interface MerchantIdentity {
  mchid: string;
  /** Checked when given (payment notifications carry it; refund notifications do not). */
  appid?: string;
}

const AmountSchema = z.lazySchema(() => z.looseObject({
  total: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  payer_total: z.optional(z.int()),
  currency: z.optional(z.string()),
}));

export const TransactionSchema = z.lazySchema(() => z.looseObject({
  mchid: z.string().check(z.minLength(1)),
  appid: z.optional(z.string()),
  out_trade_no: z.string().check(z.minLength(1), z.maxLength(32)),
  transaction_id: z.optional(z.string()),
  trade_state: z.string().check(z.minLength(1)),
  trade_state_desc: z.optional(z.string()),
  success_time: z.optional(z.string()),
  attach: z.optional(z.string()),
  payer: z.optional(z.looseObject({ openid: z.optional(z.string()) })),
  amount: AmountSchema,
}));
/** A decrypted `TRANSACTION.SUCCESS` resource, or a `GET /v3/pay/transactions/…` response. */
export type WechatPayTransaction = z.output<typeof TransactionSchema>;

/** A verified payment, ready for `service.dispatch(orderId, notice.command, { type: 'payment', … })`. */
export interface PaymentNotice {
  kind: 'payment';
  command: CommandOf<'PAYMENT_SUCCEEDED'>;
  /** The payment attempt that was paid; find the order with it (see `orderNumberFromOutTradeNo`). */
  outTradeNo: string;
  /** `outTradeNo` without an attempt suffix (`-2`, `-3`, …): the order number. */
  orderNumber: string;
  transactionId: string;
  /** What the prepay request put in `attach` (orderkit puts the order id there). */
  attach?: string;
  payerOpenid?: string;
  transaction: WechatPayTransaction;
}

/**
 * The order number a payment attempt's `out_trade_no` belongs to: attempts are the number itself,
 * then `number-2`, `number-3`, … (docs/lifecycle.md "Edits and payment attempts"). Order numbers from `createOrderNumber` never
 * contain `-`, so the suffix is unambiguous for them.
 *
 * @example
 * orderNumberFromOutTradeNo('202611251200004821937465-2') // '202611251200004821937465'
 */
export function orderNumberFromOutTradeNo(outTradeNo: string): string {
  if (typeof outTradeNo !== 'string') throw badArgument('orderNumberFromOutTradeNo', 'outTradeNo', A_STRING);
  return orderNumberOfOutTradeNo(outTradeNo);
}

function checkMerchant(data: { mchid: string; appid?: string | undefined }, expect: MerchantIdentity) {
  if (typeof expect?.mchid !== 'string' || expect.mchid === '') {
    return reject('INVALID_CONFIG', { path: ['expect', 'mchid'], detail: same('expect.mchid is required') });
  }
  if (data.mchid !== expect.mchid) {
    return reject('MCHID_MISMATCH', { path: ['resource', 'mchid'], detail: same(`${data.mchid.slice(0, 32)} ≠ ${expect.mchid}`) });
  }
  if (expect.appid !== undefined && data.appid !== expect.appid) {
    return reject('APPID_MISMATCH', {
      path: ['resource', 'appid'],
      detail: same(`${String(data.appid).slice(0, 32)} ≠ ${expect.appid}`),
    });
  }
  return null;
}

function toIso(text: string | undefined, path: string[]): Result<{ iso?: string }> {
  if (text === undefined) return ok();
  const date = parseRfc3339(text);
  if (date === null) return reject('MALFORMED_RESOURCE', { path, detail: same(`not an RFC 3339 time: ${text.slice(0, 40)}`) });
  return ok({ iso: date.toISOString() });
}

/**
 * Checks a decrypted payment resource (or a query response) and returns the `PAYMENT_SUCCEEDED`
 * command: `amount` is `amount.total` in fen, `paidAt` is `success_time` in UTC.
 *
 * @example
 * const p = parsePaymentResource(decrypted.data, { mchid: '1900000109', appid: 'wx…' });
 * if (p.ok) await service.dispatch(orderId, p.command, { type: 'payment', gateway: 'wechatpay' });
 */
export function parsePaymentResource(
  data: unknown,
  expect: MerchantIdentity,
): Result<PaymentNotice> {
  const parsed = TransactionSchema.safeParse(data);
  if (!parsed.success) return fail(errorFromZod('MALFORMED_RESOURCE', WECHAT_ERROR_TEXT.MALFORMED_RESOURCE, parsed.error, ['resource']));
  const tx = parsed.data;
  const merchant = checkMerchant(tx, expect);
  if (merchant) return merchant;
  if (tx.trade_state !== 'SUCCESS') {
    return reject('PAYMENT_NOT_SUCCESSFUL', {
      path: ['resource', 'trade_state'],
      detail: same(tx.trade_state.slice(0, 32)),
      details: { tradeState: tx.trade_state, outTradeNo: tx.out_trade_no },
    });
  }
  if (tx.amount.currency !== undefined && tx.amount.currency !== 'CNY') {
    return reject('MALFORMED_RESOURCE', { path: ['resource', 'amount', 'currency'], detail: same(`currency ${tx.amount.currency.slice(0, 8)} is not CNY`) });
  }
  if (!tx.transaction_id) return reject('MALFORMED_RESOURCE', { path: ['resource', 'transaction_id'], detail: same('transaction_id is missing') });
  const paidAt = toIso(tx.success_time, ['resource', 'success_time']);
  if (!paidAt.ok) return paidAt;
  const command = PaymentSucceededSchema.safeParse({
    type: 'PAYMENT_SUCCEEDED',
    amount: tx.amount.total,
    transactionId: tx.transaction_id,
    outTradeNo: tx.out_trade_no,
    ...(paidAt.iso ? { paidAt: paidAt.iso } : {}),
  });
  if (!command.success) return fail(errorFromZod('MALFORMED_RESOURCE', WECHAT_ERROR_TEXT.MALFORMED_RESOURCE, command.error, ['resource']));
  const notice: PaymentNotice = {
    kind: 'payment',
    command: command.data,
    outTradeNo: tx.out_trade_no,
    orderNumber: orderNumberFromOutTradeNo(tx.out_trade_no),
    transactionId: tx.transaction_id,
    transaction: tx,
  };
  if (tx.attach !== undefined) notice.attach = tx.attach;
  if (tx.payer?.openid !== undefined) notice.payerOpenid = tx.payer.openid;
  return ok(notice);
}

export const RefundResourceSchema = z.lazySchema(() => z.looseObject({
  mchid: z.string().check(z.minLength(1)),
  out_trade_no: z.string().check(z.minLength(1), z.maxLength(32)),
  transaction_id: z.optional(z.string()),
  out_refund_no: z.string().check(z.minLength(1), z.maxLength(64)),
  refund_id: z.optional(z.string()),
  /** Notifications say `refund_status`; the refund query response says `status`. */
  refund_status: z.optional(z.string()),
  status: z.optional(z.string()),
  success_time: z.optional(z.string()),
  user_received_account: z.optional(z.string()),
  amount: z.looseObject({
    total: z.optional(z.int().check(z.minimum(0))),
    refund: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
    payer_total: z.optional(z.int()),
    payer_refund: z.optional(z.int()),
  }),
}));
export type WechatPayRefundResource = z.output<typeof RefundResourceSchema>;

/** Refund outcomes WeChat reports, and what orderkit makes of them. */
export const REFUND_STATUS_MEANING = {
  SUCCESS: 'succeeded',
  ABNORMAL: 'failed',
  CLOSED: 'failed',
  PROCESSING: 'pending',
} as const;

export interface RefundNotice {
  kind: 'refund';
  command: CommandOf<'REFUND_SUCCEEDED'> | CommandOf<'REFUND_FAILED'>;
  /** `out_refund_no`: orderkit's refund id (`order.refunds[].id`). */
  refundId: string;
  outTradeNo: string;
  orderNumber: string;
  refundStatus: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  refund: WechatPayRefundResource;
}

/**
 * Checks a decrypted refund resource (or a refund query response) and returns `REFUND_SUCCEEDED`
 * (status SUCCESS) or `REFUND_FAILED` (ABNORMAL: the money could not reach the user; CLOSED), with
 * `refundId = out_refund_no`. PROCESSING gives `REFUND_IN_PROGRESS`: nothing to apply yet.
 *
 * @example
 * const r = parseRefundResource(decrypted.data, { mchid: '1900000109' });
 * if (r.ok) await service.dispatch(orderId, r.command, { type: 'payment', gateway: 'wechatpay' });
 */
export function parseRefundResource(
  data: unknown,
  expect: MerchantIdentity,
): Result<RefundNotice> {
  const parsed = RefundResourceSchema.safeParse(data);
  if (!parsed.success) return fail(errorFromZod('MALFORMED_RESOURCE', WECHAT_ERROR_TEXT.MALFORMED_RESOURCE, parsed.error, ['resource']));
  const r = parsed.data;
  const merchant = checkMerchant({ mchid: r.mchid }, { mchid: expect?.mchid });
  if (merchant) return merchant;
  const status = r.refund_status ?? r.status;
  if (status === 'PROCESSING') {
    return reject('REFUND_IN_PROGRESS', { path: ['resource', 'refund_status'], details: { refundId: r.out_refund_no } });
  }
  if (status !== 'SUCCESS' && status !== 'ABNORMAL' && status !== 'CLOSED') {
    return reject('UNKNOWN_REFUND_STATUS', { path: ['resource', 'refund_status'], detail: same(String(status).slice(0, 32)) });
  }
  let command: RefundNotice['command'];
  if (status === 'SUCCESS') {
    const at = toIso(r.success_time, ['resource', 'success_time']);
    if (!at.ok) return at;
    const parsedCommand = RefundSucceededSchema.safeParse({
      type: 'REFUND_SUCCEEDED',
      refundId: r.out_refund_no,
      amount: r.amount.refund,
      ...(r.refund_id ? { gatewayRefundId: r.refund_id.slice(0, 64) } : {}),
      ...(at.iso ? { succeededAt: at.iso } : {}),
    });
    if (!parsedCommand.success) return fail(errorFromZod('MALFORMED_RESOURCE', WECHAT_ERROR_TEXT.MALFORMED_RESOURCE, parsedCommand.error, ['resource']));
    command = parsedCommand.data;
  } else {
    const reason = status === 'ABNORMAL' ? 'ABNORMAL: the refund could not be credited to the user (退款异常)' : 'CLOSED: the refund was closed (退款关闭)';
    const parsedCommand = RefundFailedSchema.safeParse({
      type: 'REFUND_FAILED',
      refundId: r.out_refund_no,
      reason,
      gatewayStatus: status,
      ...(r.refund_id ? { gatewayRefundId: r.refund_id.slice(0, 64) } : {}),
    });
    if (!parsedCommand.success) return fail(errorFromZod('MALFORMED_RESOURCE', WECHAT_ERROR_TEXT.MALFORMED_RESOURCE, parsedCommand.error, ['resource']));
    command = parsedCommand.data;
  }
  return ok({
    kind: 'refund',
    command,
    refundId: r.out_refund_no,
    outTradeNo: r.out_trade_no,
    orderNumber: orderNumberFromOutTradeNo(r.out_trade_no),
    refundStatus: status,
    refund: r,
  });
}
