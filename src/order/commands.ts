import * as z from '../zod.js';
import { errorFromZod } from '../errors/zod-issues.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import {
  AddressSchema,
  LineQuantitySchema,
  LogisticsTypeSchema,
} from './order-schema.js';
import { FenSchema, IdSchema, TimestampSchema, refuseUnstorableStrings } from './primitives.js';
import { PickupCodeSchema, RiderSchema, deliveryProofFields } from './delivery.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * The built-in commands' schemas by type, in the order they are written here (`CommandSchema`'s
 * order too), known before any of them is built: each is built on its first use (`lazySchema` in
 * src/zod.ts), and a first call dispatches one or two commands, not all of them.
 */
const BUILTIN_COMMANDS = new Map<string, object>();

/** A built-in command's schema; the compiler checks that `type` is the schema's own `type`. */
function command<T extends string, S extends { _zod: { output: { type: T } } }>(type: T, build: () => S): S {
  const schema = z.lazySchema(build);
  BUILTIN_COMMANDS.set(type, schema);
  return schema;
}

/**
 * Every command an order understands (docs/lifecycle.md "Commands, actors and effects"). Commands are plain JSON so that they can
 * travel through a cloud function, a queue or an HTTP body; `parseCommand` checks one at the
 * boundary, and `transition()` trusts its type afterwards.
 */
export const PaymentSucceededSchema = command('PAYMENT_SUCCEEDED', () => z.strictObject({
  type: z.literal('PAYMENT_SUCCEEDED'),
  /** Fen the gateway says it collected; must equal the attempt's amount. */
  amount: FenSchema,
  transactionId: z.string().check(z.minLength(1), z.maxLength(64)),
  /** The attempt being paid; defaults to the order's current attempt. */
  outTradeNo: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  paidAt: z.optional(TimestampSchema),
}));
export const CancelSchema = command('CANCEL', () => z.strictObject({ type: z.literal('CANCEL'), reason: z.optional(z.string().check(z.maxLength(200))) }));
/** `reason`: why the timer closed it, when not simply time (the sweeper's `gateway_unreachable`). */
export const ExpireSchema = command('EXPIRE', () => z.strictObject({ type: z.literal('EXPIRE'), reason: z.optional(z.string().check(z.maxLength(200))) }));
export const ShipSchema = command('SHIP', () => z.strictObject({
  type: z.literal('SHIP'),
  /** Defaults to a deterministic id derived from the order number. */
  shipmentId: z.optional(IdSchema),
  /** What goes in the parcel; defaults to everything not yet shipped. */
  items: z.optional(z.array(LineQuantitySchema).check(z.minLength(1))),
  logisticsType: z._default(LogisticsTypeSchema, 'express'),
  trackingNo: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  expressCompany: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
}));
export const DeliverSchema = command('DELIVER', () => z.strictObject({ type: z.literal('DELIVER'), shipmentId: z.optional(IdSchema) }));
export const ConfirmReceiptSchema = command('CONFIRM_RECEIPT', () => z.strictObject({ type: z.literal('CONFIRM_RECEIPT') }));
export const AutoConfirmSchema = command('AUTO_CONFIRM', () => z.strictObject({ type: z.literal('AUTO_CONFIRM') }));
export const RequestAfterSaleSchema = command('REQUEST_AFTER_SALE', () => z.strictObject({
  type: z.literal('REQUEST_AFTER_SALE'),
  afterSaleId: z.optional(IdSchema),
  /** An exchange (换货) is asked for with REQUEST_EXCHANGE: it has its own rules (docs/after-sales.md "Exchange"). */
  kind: z.enum(['refund_only', 'return_and_refund']),
  /** Lines and quantities; absent means the whole order. */
  items: z.optional(z.array(LineQuantitySchema).check(z.minLength(1))),
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
  /**
   * Freight, as `refundQuote` takes it: absent = with the request that takes the last money,
   * `true` = now, `false` = not with this request; `policy.refundShipping` decides whether it can
   * come back at all (docs/after-sales.md "Rules").
   */
  includeShipping: z.optional(z.boolean()),
  /** Photos of the problem: cloud storage file ids or URLs, at most 9 (docs/mini-program.md "After-sale photos"). */
  photos: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.maxLength(9))),
}));
export const ApproveAfterSaleSchema = command('APPROVE_AFTER_SALE', () => z.strictObject({ type: z.literal('APPROVE_AFTER_SALE'), afterSaleId: IdSchema }));
export const RejectAfterSaleSchema = command('REJECT_AFTER_SALE', () => z.strictObject({
  type: z.literal('REJECT_AFTER_SALE'),
  afterSaleId: IdSchema,
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
}));
export const CancelAfterSaleSchema = command('CANCEL_AFTER_SALE', () => z.strictObject({ type: z.literal('CANCEL_AFTER_SALE'), afterSaleId: IdSchema }));
export const ReturnShippedSchema = command('RETURN_SHIPPED', () => z.strictObject({
  type: z.literal('RETURN_SHIPPED'),
  afterSaleId: IdSchema,
  trackingNo: z.string().check(z.minLength(1), z.maxLength(128)),
  expressCompany: z.string().check(z.minLength(1), z.maxLength(64)),
}));
export const ReturnReceivedSchema = command('RETURN_RECEIVED', () => z.strictObject({ type: z.literal('RETURN_RECEIVED'), afterSaleId: IdSchema }));
export const RefundSucceededSchema = command('REFUND_SUCCEEDED', () => z.strictObject({
  type: z.literal('REFUND_SUCCEEDED'),
  refundId: z.string().check(z.minLength(1), z.maxLength(64)),
  /** When given, must equal the ledger entry's amount. */
  amount: z.optional(FenSchema),
  gatewayRefundId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  succeededAt: z.optional(TimestampSchema),
}));
export const RefundFailedSchema = command('REFUND_FAILED', () => z.strictObject({
  type: z.literal('REFUND_FAILED'),
  refundId: z.string().check(z.minLength(1), z.maxLength(64)),
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
  /** The gateway's final status when it said one: CLOSED or ABNORMAL (docs/after-sales.md "Refund states"). */
  gatewayStatus: z.optional(z.enum(['CLOSED', 'ABNORMAL'])),
  /** The gateway's own refund id (an ABNORMAL refund is sent again under it). */
  gatewayRefundId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
}));
/**
 * Sends a failed refund again: under the same refund id and amount (WeChat Pay matches retries by
 * `out_refund_no`); a CLOSED one under a new id linked to the old; an ABNORMAL one through the
 * abnormal-refund request (`abnormalHandling`, default `policy.abnormalRefund`). For refunds of an
 * after-sale, `APPROVE_AFTER_SALE` does the same.
 */
export const RetryRefundSchema = command('RETRY_REFUND', () => z.strictObject({
  type: z.literal('RETRY_REFUND'),
  refundId: z.string().check(z.minLength(1), z.maxLength(64)),
  abnormalHandling: z.optional(z.enum(['USER_BANK_CARD', 'MERCHANT_BANK_CARD'])),
}));
/** 改价: merchant only, before payment. */
export const AdjustPriceSchema = command('ADJUST_PRICE', () => z.strictObject({
  type: z.literal('ADJUST_PRICE'),
  newTotal: FenSchema,
  reason: z.string().check(z.minLength(1), z.maxLength(200)),
}));
export const ChangeAddressSchema = command('CHANGE_ADDRESS', () => z.strictObject({ type: z.literal('CHANGE_ADDRESS'), address: AddressSchema }));
export const AddRemarkSchema = command('ADD_REMARK', () => z.strictObject({ type: z.literal('ADD_REMARK'), text: z.string().check(z.minLength(1), z.maxLength(200)) }));
export const RecordStrayPaymentSchema = command('RECORD_STRAY_PAYMENT', () => z.strictObject({
  type: z.literal('RECORD_STRAY_PAYMENT'),
  amount: FenSchema,
  transactionId: z.string().check(z.minLength(1), z.maxLength(64)),
  outTradeNo: z.string().check(z.minLength(1), z.maxLength(32)),
  paidAt: z.optional(TimestampSchema),
  reason: z.optional(z.string().check(z.maxLength(200))),
}));
/**
 * A refund the gateway made that the refund ledger does not know (made in the merchant platform,
 * found by the daily reconciliation): recorded as a succeeded ledger entry under its
 * `out_refund_no`. docs/wechat.md "Daily reconciliation".
 */
export const RecordGatewayRefundSchema = command('RECORD_GATEWAY_REFUND', () => z.strictObject({
  type: z.literal('RECORD_GATEWAY_REFUND'),
  refundId: z.string().check(z.minLength(1), z.maxLength(64)),
  /** At least 1 fen: WeChat Pay never refunds 0, and every ledger entry counts toward `maxPartialRefunds`. */
  amount: FenSchema.check(z.minimum(1)),
  /** The payment it returns money from; default the order's payment. */
  transactionId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  outTradeNo: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  gatewayRefundId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  succeededAt: z.optional(TimestampSchema),
}));

/**
 * WeChat settled the order's payment to the merchant (the shipping-information service's
 * settlement event). docs/wechat.md "WeChat's order events".
 */
export const RecordSettlementSchema = command('RECORD_SETTLEMENT', () => z.strictObject({
  type: z.literal('RECORD_SETTLEMENT'),
  transactionId: z.string().check(z.minLength(1), z.maxLength(64)),
  settledAt: TimestampSchema,
}));

/** 退运费 without goods (docs/after-sales.md "Freight-only refund"); `amount` defaults to all the freight left. */
export const RequestFreightRefundSchema = command('REQUEST_FREIGHT_REFUND', () => z.strictObject({
  type: z.literal('REQUEST_FREIGHT_REFUND'),
  afterSaleId: z.optional(IdSchema),
  amount: z.optional(FenSchema.check(z.minimum(1))),
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
}));
/** 换货: shipped units for replacements of the same price (docs/after-sales.md "Exchange"). */
export const RequestExchangeSchema = command('REQUEST_EXCHANGE', () => z.strictObject({
  type: z.literal('REQUEST_EXCHANGE'),
  afterSaleId: z.optional(IdSchema),
  items: z
    .array(
      z.strictObject({
        lineId: IdSchema,
        quantity: LineQuantitySchema.shape.quantity,
        /** The replacement's SKU (another size or colour); default the line's own. */
        sku: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        /** The replacement's unit price; it must equal the line's (`EXCHANGE_PRICE_DIFFERS`). */
        unitPrice: z.optional(FenSchema),
      }),
    )
    .check(z.minLength(1)),
  reason: z.string().check(z.minLength(1), z.maxLength(500)),
}));
/** 协商退款: the merchant offers a partial amount on a request under review. */
export const ProposeRefundSchema = command('PROPOSE_REFUND', () => z.strictObject({
  type: z.literal('PROPOSE_REFUND'),
  afterSaleId: IdSchema,
  amount: FenSchema.check(z.minimum(1)),
  note: z.optional(z.string().check(z.maxLength(200))),
}));
export const AcceptRefundProposalSchema = command('ACCEPT_REFUND_PROPOSAL', () => z.strictObject({ type: z.literal('ACCEPT_REFUND_PROPOSAL'), afterSaleId: IdSchema }));
export const DeclineRefundProposalSchema = command('DECLINE_REFUND_PROPOSAL', () => z.strictObject({
  type: z.literal('DECLINE_REFUND_PROPOSAL'),
  afterSaleId: IdSchema,
  reason: z.optional(z.string().check(z.maxLength(200))),
}));
/** 退运费 of a return: refunded to the shopper or deducted (default `policy.returnShippingFee`). */
export const SetReturnShippingFeeSchema = command('SET_RETURN_SHIPPING_FEE', () => z.strictObject({
  type: z.literal('SET_RETURN_SHIPPING_FEE'),
  afterSaleId: IdSchema,
  fee: FenSchema.check(z.minimum(1)),
  treatment: z.optional(z.enum(['refund', 'deduct'])),
}));
/** The replacement parcel of an exchange whose return has arrived. */
export const ShipExchangeSchema = command('SHIP_EXCHANGE', () => z.strictObject({
  type: z.literal('SHIP_EXCHANGE'),
  afterSaleId: IdSchema,
  trackingNo: z.string().check(z.minLength(1), z.maxLength(128)),
  expressCompany: z.string().check(z.minLength(1), z.maxLength(64)),
}));
/** 骑手取货: a local-delivery order goes out with its rider (docs/delivery.md "Local delivery"). */
export const DispatchRiderSchema = command('DISPATCH_RIDER', () => z.strictObject({ type: z.literal('DISPATCH_RIDER'), rider: RiderSchema }));
/** 送达凭证: the rider's proof that a local delivery arrived; the order becomes delivered. */
export const RecordDeliveryProofSchema = command('RECORD_DELIVERY_PROOF', () => z.strictObject({
  type: z.literal('RECORD_DELIVERY_PROOF'),
  ...deliveryProofFields(),
}));
/** 核销: the store hands a pickup order over against the shopper's code (docs/delivery.md "Store pickup"). */
/**
 * `storeId`: the store handing the order over; when given it must be the order's pickup store
 * (docs/delivery.md "Store pickup"), so that staff of one store cannot hand over another's orders.
 */
export const VerifyPickupCodeSchema = command('VERIFY_PICKUP_CODE', () => z.strictObject({ type: z.literal('VERIFY_PICKUP_CODE'), code: PickupCodeSchema, storeId: z.optional(IdSchema) }));

/** Every command; strings that a store cannot keep are refused with their path (primitives.ts). */
export const CommandSchema = z.lazySchema(() => z.discriminatedUnion('type', [
  PaymentSucceededSchema,
  CancelSchema,
  ExpireSchema,
  ShipSchema,
  DeliverSchema,
  ConfirmReceiptSchema,
  AutoConfirmSchema,
  RequestAfterSaleSchema,
  ApproveAfterSaleSchema,
  RejectAfterSaleSchema,
  CancelAfterSaleSchema,
  ReturnShippedSchema,
  ReturnReceivedSchema,
  RefundSucceededSchema,
  RefundFailedSchema,
  RetryRefundSchema,
  AdjustPriceSchema,
  ChangeAddressSchema,
  AddRemarkSchema,
  RecordStrayPaymentSchema,
  RecordGatewayRefundSchema,
  RecordSettlementSchema,
  RequestFreightRefundSchema,
  RequestExchangeSchema,
  ProposeRefundSchema,
  AcceptRefundProposalSchema,
  DeclineRefundProposalSchema,
  SetReturnShippingFeeSchema,
  ShipExchangeSchema,
  DispatchRiderSchema,
  RecordDeliveryProofSchema,
  VerifyPickupCodeSchema,
]).check(z.superRefine(refuseUnstorableStrings)));
export type Command = z.output<typeof CommandSchema>;
/** What a caller writes: defaults (such as `logisticsType`) may be left out. */
export type CommandInput = z.input<typeof CommandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export const COMMAND_TYPES: readonly CommandType[] = [...BUILTIN_COMMANDS.keys()] as CommandType[];

/** The schema orderkit defines for a built-in command type (without building it), else undefined. */
export function builtinCommandSchema(type: string): object | undefined {
  return BUILTIN_COMMANDS.get(type);
}

/**
 * Commands that `parseCommand` produced. `transition()` checks any other command against the
 * schema itself, so a caller who skips the boundary check gets a typed error instead of a broken
 * order, while a parsed command is not checked twice. A WeakSet only remembers; it never changes
 * an answer, so the functions stay deterministic.
 */
const checked = new WeakSet<object>();

/** True when `command` came out of `parseCommand` (and so is known to fit `CommandSchema`). */
export function isCheckedCommand(command: unknown): boolean {
  return typeof command === 'object' && command !== null && checked.has(command);
}

export type ParseCommandResult = Result<{ command: Command }>;

type CommandParser = { safeParse(input: unknown): ReturnType<typeof CommandSchema.safeParse> };
/** Each built-in command's schema with `CommandSchema`'s own check, built when that type is first parsed. */
const WITH_UNION_CHECK = new Map<string, CommandParser>();

/**
 * What `CommandSchema` would run on `input`: for a known `type`, the discriminated union hands the
 * value to that command's schema and then runs its own check, so parsing with that schema and the
 * same check gives the same result and the same issues, without building the other commands'
 * schemas (a cloud function's first call parses one or two). Anything else goes to the union.
 */
function schemaFor(input: unknown): CommandParser {
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') return CommandSchema;
  let schema = WITH_UNION_CHECK.get(type);
  if (schema === undefined) {
    const option = BUILTIN_COMMANDS.get(type) as z.ZodMiniType<Command> | undefined;
    if (option === undefined) return CommandSchema;
    schema = option.check(z.superRefine(refuseUnstorableStrings)) as unknown as CommandParser;
    WITH_UNION_CHECK.set(type, schema);
  }
  return schema;
}

/**
 * Checks an untrusted value (a request body, a cloud-function event) and returns a typed command,
 * or `INVALID_COMMAND` with the path and a zh-CN/en message for every problem. Never throws.
 *
 * @example
 * const r = parseCommand(JSON.parse(body));
 * if (!r.ok) return res.status(400).json(r.error);
 */
export function parseCommand(input: unknown): ParseCommandResult {
  if (typeof input === 'object' && input !== null && checked.has(input)) return ok({ command: input as Command });
  const parsed = schemaFor(input).safeParse(input);
  if (parsed.success) {
    checked.add(parsed.data);
    return ok({ command: parsed.data });
  }
  return fail(errorFromZod('INVALID_COMMAND', { 'zh-CN': '指令格式不正确', en: 'invalid command' }, parsed.error));
}
