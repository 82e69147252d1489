/**
 * orderkit/wechatpay: WeChat Pay v3 (notifications, prepay, paySign, refunds, request signing),
 * `cloud.cloudPay` callbacks, shipping-info uploads and subscribe messages. Everything is plain
 * data and `node:crypto`: no WeChat SDK, no network calls, Node 16 compatible.
 */
export { WECHAT_ERROR_CODES, WECHAT_ERROR_TEXT, wechatError } from './errors.js';
export type { WechatErrorCode } from './errors.js';

export { createKeyRing, normalizeSerial } from './keys.js';
export type { WechatPayKeys, WechatPayKeyInput, WechatPayKeyRing, WechatPayKeyEntry, PublicKeyMaterial } from './keys.js';

export {
  verifyNotification,
  verifyWechatpaySignature,
} from './verify.js';
export type {
  SignedMessageInput,
  VerifiedSignature,
  VerifySignatureResult,
  VerifyNotificationResult,
  NotificationEnvelope,
  EncryptedResource,
} from './verify.js';

export { decryptResource, decryptText } from './decrypt.js';
export type { DecryptResourceResult, DecryptTextResult } from './decrypt.js';

export { createWechatPayConfig, notificationInput } from './config.js';
export type { WechatPayConfig, WechatPayConfigInput, WechatPayConfigResult } from './config.js';

export { parseCertificatesResponse, createCertificateRotator } from './certificates.js';
export type { PlatformCertificate, PlatformCertificatesResult, CertificateRotator, CertificateRotatorOptions, RotationReport } from './certificates.js';

export { parsePaymentResource, parseRefundResource, orderNumberFromOutTradeNo } from './resources.js';
export type { MerchantIdentity, PaymentNotice, RefundNotice, WechatPayTransaction, WechatPayRefundResource } from './resources.js';

export { handlePaymentNotification, handleRefundNotification, handleNotification } from './notifications.js';
export type { HandleNotificationInput, PaymentNotificationResult, RefundNotificationResult, NotificationResult } from './notifications.js';

export { notificationResponse } from './response.js';
export type { NotificationReply, NotificationResponseOptions } from './response.js';

export {
  buildJsapiPrepay,
  buildRefundRequest,
  buildRefundRequestFromEffect,
  buildCloseOrder,
  buildQueryOrder,
  buildQueryRefund,
  buildAbnormalRefund,
  openPaymentAttempt,
  describeOrder,
} from './requests.js';
export type { WechatPayRequest, RequestResult, JsapiPrepayConfig, RefundRequestConfig } from './requests.js';

export { encryptSensitiveField } from './sensitive.js';
export { signRequest, buildRequestPaymentParams, createNonce } from './sign.js';
export type { SignRequestInput, SignRequestResult, RequestPaymentParams, RequestPaymentConfig, PrivateKeyMaterial } from './sign.js';

export {
  fromCloudPayCallback,
  fromCloudPayRefundCallback,
  cloudPayAck,
  cloudPayReply,
  buildCloudPayUnifiedOrder,
  buildCloudPayRefund,
} from './cloudpay.js';
export type {
  CloudPayIdentity,
  CloudPayPaymentNotice,
  CloudPayRefundNotice,
  CloudPayOrderConfig,
  CloudPayUnifiedOrderParams,
  CloudPayRefundParams,
} from './cloudpay.js';

export { buildShippingInfo, buildShippingInfoFromEffect, maskPhone } from './shipping-info.js';
export type { ShippingInfoPayload, ShippingInfoOptions, ShippingPackage } from './shipping-info.js';

export {
  buildSubscribeMessage,
  subscribeFieldValue,
  toCloudSubscribeMessage,
  sendSubscribeMessage,
  isNoSubscriptionError,
} from './subscribe-message.js';
export type {
  SubscribeFieldKind,
  SubscribeFieldValue,
  SubscribeFieldFn,
  SubscribeFieldSpec,
  SubscribeTemplate,
  SubscribeContext,
  SubscribeMessage,
  BuildSubscribeOptions,
  SendSubscribeResult,
} from './subscribe-message.js';

export { createWechatPayQuery } from './query.js';
export type { WechatPayQueryOptions } from './query.js';

export { applyPaymentNotice, applyRefundNotice, orderIdOfRefund, resolveOrderId } from './dispatch.js';
export type { ApplyResult, DispatchingService, PaymentNoticeLike, RefundNoticeLike } from './dispatch.js';

export {
  buildTradeBillRequest,
  buildFundFlowBillRequest,
  buildBillDownload,
  checkBillHash,
  parseTradeBill,
  parseFundFlowBill,
  billYuan,
  TRADE_BILL_COLUMNS,
  TRADE_BILL_TOTAL_COLUMNS,
  FUND_FLOW_BILL_COLUMNS,
  FUND_FLOW_BILL_TOTAL_COLUMNS,
} from './bills.js';
export type { BillDate, BillLocation, BillPayment, BillRefund, TradeBill, FundFlowBill, FundFlowEntry, ParseBillOptions } from './bills.js';
export { compareBills, FINDING_TEXT } from './reconcile.js';
export type { FindingKind, FindingOutcome, ReconciliationFinding, PlannedCommand, ComparisonInput, Comparison } from './reconcile.js';
export { reconcileWechatPayDay, downloadWechatPayBills, formatReconciliationReport } from './reconcile-day.js';
export type { ReconcilingService, ReconcileDayOptions, ReconciliationReport, ReconcileResult, DownloadBillsOptions } from './reconcile-day.js';

export { createMessagePushConfig, handleOrderEvent, applyOrderEvent, orderEventResponse, messagePushSignature } from './order-events.js';
export type {
  MessagePushConfig,
  MessagePushConfigInput,
  SettlementEvent,
  ReminderEvent,
  OrderEventMessage,
  OrderEventResult,
  OrderEventInput,
  AppliedOrderEvent,
} from './order-events.js';

export { formatRfc3339, parseRfc3339, parseBeijingCompact, parseBeijingDateTime, formatBeijingCompact } from './time.js';
export { cutChars, charLength } from './text.js';
