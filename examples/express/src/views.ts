import type { Actor, Address, Order, OrderEvent } from './orderkit/index.js';

/**
 * What each role may see of an order (docs/express.md, "Personal data"):
 * - a shopper sees their own order, never the merchant's internal notes, nor staff user names
 *   (not in the history, not in an after-sale's requester, proposals or return shipping fee);
 * - staff see an order's full address where they work on that one order (to ship it), and a
 *   masked one in lists, streams, exports and logs (PIPL: only as much as the task needs).
 */

/** 13800138000 → 138****8000; short or odd values keep only their last two characters. */
export function maskPhone(phone: string): string {
  if (/^\+?\d{7,}$/.test(phone)) return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  return phone.length <= 2 ? '**' : `${'*'.repeat(Math.min(6, phone.length - 2))}${phone.slice(-2)}`;
}

/** The name's first character, the region, and no street: enough to tell orders apart. */
export function maskAddress(address: Address): Address {
  const name = [...address.name];
  return { ...address, name: name.length <= 1 ? '*' : `${name[0]}${'*'.repeat(Math.min(3, name.length - 1))}`, phone: maskPhone(address.phone), detail: '****' };
}

const isShopper = (actor: Actor) => actor.type === 'customer';

/** A staff member as a shopper sees them: "the merchant", never their user name. */
const STAFF_AS_SEEN_BY_SHOPPER: Actor = { type: 'merchant', id: 'merchant' };
const staffHidden = (a: Actor): Actor => (a.type === 'merchant' ? STAFF_AS_SEEN_BY_SHOPPER : a);

/** The after-sales with every staff member who asked, proposed or set a fee named only "merchant". */
function afterSalesForShopper(afterSales: Order['afterSales']): Order['afterSales'] {
  return afterSales.map((a) => ({
    ...a,
    requestedBy: staffHidden(a.requestedBy),
    ...(a.proposals ? { proposals: a.proposals.map((p) => ({ ...p, proposedBy: staffHidden(p.proposedBy) })) } : {}),
    ...(a.returnShippingFee ? { returnShippingFee: { ...a.returnShippingFee, setBy: staffHidden(a.returnShippingFee.setBy) } } : {}),
  }));
}

/** The order as `actor` may see it; `masked` for lists and streams. */
export function orderView(order: Order, actor: Actor, options: { masked?: boolean } = {}): Order {
  let view = order;
  if (isShopper(actor)) {
    const { merchantNotes: _notes, ...rest } = order;
    // The field stays (empty) so that the shape is the documented Order. Staff who worked on the
    // after-sales are "the merchant" to the shopper, as in the history (eventsView).
    view = { ...rest, merchantNotes: [], afterSales: afterSalesForShopper(order.afterSales) };
  } else if (options.masked && order.address) {
    view = { ...order, address: maskAddress(order.address) };
  }
  const d = view.delivery;
  if (d?.mode === 'pickup' && !(isShopper(actor) && order.status === 'paid')) {
    // The pickup code is the shopper's, shown once paid until collected; staff type the code the
    // shopper shows and never read it here (docs/delivery.md "Store pickup").
    const { code: _code, ...rest } = d;
    view = { ...view, delivery: rest as typeof d };
  } else if (d?.mode === 'local' && d.rider && options.masked) {
    view = { ...view, delivery: { ...d, rider: { ...d.rider, phone: maskPhone(d.rider.phone) } } };
  }
  return view;
}

/** The audit log as `actor` may see it: a shopper gets no remark events and no staff names. */
export function eventsView(events: readonly OrderEvent[], actor: Actor): OrderEvent[] {
  if (!isShopper(actor)) return [...events];
  return events
    .filter((e) => e.type !== 'ADD_REMARK')
    .map((e) => (e.actor.type === 'merchant' ? { ...e, actor: STAFF_AS_SEEN_BY_SHOPPER } : e));
}
