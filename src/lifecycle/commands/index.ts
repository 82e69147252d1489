import type { CommandDefinition } from '../define.js';
import { addRemark } from './add-remark.js';
import { adjustPrice } from './adjust-price.js';
import { approveAfterSale } from './approve-after-sale.js';
import { autoConfirm } from './auto-confirm.js';
import { cancelAfterSale } from './cancel-after-sale.js';
import { cancel } from './cancel.js';
import { changeAddress } from './change-address.js';
import { confirmReceipt } from './confirm-receipt.js';
import { deliver } from './deliver.js';
import { expire } from './expire.js';
import { paymentSucceeded } from './payment-succeeded.js';
import { recordGatewayRefund } from './record-gateway-refund.js';
import { recordSettlement } from './record-settlement.js';
import { recordStrayPayment } from './record-stray-payment.js';
import { refundFailed } from './refund-failed.js';
import { refundSucceeded } from './refund-succeeded.js';
import { rejectAfterSale } from './reject-after-sale.js';
import { requestAfterSale } from './request-after-sale.js';
import { retryRefund } from './retry-refund.js';
import { returnReceived } from './return-received.js';
import { returnShipped } from './return-shipped.js';
import { ship } from './ship.js';
import { requestFreightRefund } from './request-freight-refund.js';
import { requestExchange } from './request-exchange.js';
import { proposeRefund } from './propose-refund.js';
import { acceptRefundProposal } from './accept-refund-proposal.js';
import { declineRefundProposal } from './decline-refund-proposal.js';
import { setReturnShippingFee } from './set-return-shipping-fee.js';
import { shipExchange } from './ship-exchange.js';
import { dispatchRider } from './dispatch-rider.js';
import { recordDeliveryProof } from './record-delivery-proof.js';
import { verifyPickupCode } from './verify-pickup-code.js';

export {
  addRemark,
  adjustPrice,
  approveAfterSale,
  autoConfirm,
  cancel,
  cancelAfterSale,
  changeAddress,
  confirmReceipt,
  deliver,
  expire,
  paymentSucceeded,
  recordGatewayRefund,
  recordSettlement,
  recordStrayPayment,
  refundFailed,
  refundSucceeded,
  rejectAfterSale,
  requestAfterSale,
  retryRefund,
  returnReceived,
  returnShipped,
  ship,
  requestFreightRefund,
  requestExchange,
  proposeRefund,
  acceptRefundProposal,
  declineRefundProposal,
  setReturnShippingFee,
  shipExchange,
  dispatchRider,
  recordDeliveryProof,
  verifyPickupCode,
};

/**
 * orderkit's commands, one file each. A shop's lifecycle is this list with its own commands added
 * (or some replaced): `createLifecycle({ commands: [...orderCommands, pickedUp] })`.
 *
 * @example
 * orderCommands.map((c) => c.type).includes('SHIP') // true
 */
export const orderCommands: readonly CommandDefinition<string, any>[] = Object.freeze([
  paymentSucceeded,
  cancel,
  expire,
  adjustPrice,
  ship,
  deliver,
  confirmReceipt,
  autoConfirm,
  requestAfterSale,
  approveAfterSale,
  rejectAfterSale,
  cancelAfterSale,
  returnShipped,
  returnReceived,
  refundSucceeded,
  refundFailed,
  retryRefund,
  changeAddress,
  addRemark,
  recordStrayPayment,
  recordGatewayRefund,
  recordSettlement,
  requestFreightRefund,
  requestExchange,
  proposeRefund,
  acceptRefundProposal,
  declineRefundProposal,
  setReturnShippingFee,
  shipExchange,
  dispatchRider,
  recordDeliveryProof,
  verifyPickupCode,
]);
