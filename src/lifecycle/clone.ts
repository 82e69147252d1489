import type { Deadlines, Shipment } from '../order/index.js';

export { appended, cloneOrder } from '../order/clone.js';

/** The deadlines with one of them set. */
export function withDeadline(d: Deadlines, key: keyof Deadlines, value: string): Deadlines {
  const payBy = key === 'payBy' ? value : d.payBy;
  const autoConfirmAt = key === 'autoConfirmAt' ? value : d.autoConfirmAt;
  const afterSaleUntil = key === 'afterSaleUntil' ? value : d.afterSaleUntil;
  const out: Deadlines = {};
  if (payBy !== undefined) out.payBy = payBy;
  if (autoConfirmAt !== undefined) out.autoConfirmAt = autoConfirmAt;
  if (afterSaleUntil !== undefined) out.afterSaleUntil = afterSaleUntil;
  return out;
}

/** A shipment marked delivered at `at`. */
export function deliveredShipment(s: Shipment, at: string): Shipment {
  const out: Shipment = { id: s.id, items: s.items, logisticsType: s.logisticsType, shippedAt: s.shippedAt };
  if (s.trackingNo !== undefined) out.trackingNo = s.trackingNo;
  if (s.expressCompany !== undefined) out.expressCompany = s.expressCompany;
  out.deliveredAt = at;
  return out;
}
