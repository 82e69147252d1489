import type { Access, Route } from './http.js';

/**
 * Who may call each of the example's routes, by operationId, where it is not `signed-in` (the
 * default: any shopper or staff; the handlers then keep shoppers to their own orders).
 * docs/express.md "Sign-in" lists the same table for readers.
 */
const ACCESS: Record<string, Access> = {
  dashboardPage: 'public',
  dashboardData: 'staff',
  dashboardStream: 'staff',
  analyticsSummary: 'staff',
  analyticsBottlenecks: 'staff',
  analyticsInsights: 'staff',
  analyticsDrill: 'staff',
  analyticsExport: 'staff',
  analyticsAutomations: 'staff',
  runAutomations: 'staff',
  listReconciliations: 'staff',
  // A bill posted by hand applies the payments it lists (orders become paid): nothing proves it came
  // from WeChat Pay (the daily job downloads and hash-checks it), so only an admin may post one.
  reconcileDay: 'admin',
  demoRefundResult: 'staff',
  wechatpayNotify: 'public',
  // PIPL (docs/privacy.md): anonymising a customer is an admin's decision.
  anonymizeCustomer: 'admin',
  topUpBalance: 'staff',
  // Delivery modes (docs/delivery.md): the options are shop data; the rider, the proof and the pickup code are staff's.
  deliveryOptions: 'public',
  dispatchRider: 'staff',
  recordDeliveryProof: 'staff',
  verifyPickupCode: 'staff',
};

/** The route with its access filled in (a route that says its own keeps it). */
export function withAccess(route: Route): Route {
  return route.access !== undefined ? route : { ...route, access: ACCESS[route.doc.operationId] ?? 'signed-in' };
}
