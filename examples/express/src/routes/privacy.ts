import { principalOf } from '../auth/index.js';
import type { AppContext } from '../context.js';
import { param, type Route } from '../http.js';
import { anonymizeCustomer } from '../orderkit/advanced.js';

/**
 * 个人信息 (PIPL, docs/privacy.md): an admin anonymises one customer's personal data in every order
 * the store keeps (the order, its events, outbox and idempotency records, the analytics facts) and,
 * with stock configured, in the inventory's holds and 限购 counts; their saved default address is
 * forgotten.
 * Admin only (access.ts); the call is logged with who made it, never with the customer's data.
 */
export function privacyRoutes(ctx: AppContext): Route[] {
  return [
    {
      doc: {
        method: 'post',
        path: '/admin/customers/:customerId/anonymize',
        operationId: 'anonymizeCustomer',
        summary: "Anonymise a customer's personal data 匿名化顾客个人信息",
        description:
          "Replaces the customer's id with a random pseudonym and removes names, phones, streets and the shopper's remarks from every stored order of theirs (events, outbox and idempotency records included), moves the orders' stock holds and purchase-limit counts to the pseudonym, and forgets the saved default address. Amounts, SKUs and statuses stay; the stored balance is not rewritten. Answers { orders, pseudonym }; a second call finds nothing (orders: 0). Admin only.",
        tags: ['privacy'],
        success: { status: 200, description: '{ orders: number, pseudonym: string | null }', schema: 'Any' },
        errors: [400, 401, 403],
      },
      handler: async (req, res) => {
        const customerId = param(req, 'customerId');
        // The inventory's holds and 限购 counts name the customer too (docs/privacy.md "The inventory").
        const r = await anonymizeCustomer(ctx.store, customerId, ctx.inventory ? { inventory: ctx.inventory } : {});
        if (!r.ok) throw r.error;
        // The example's own copy of the customer's name, phone and street: the saved default address.
        ctx.addresses.delete(customerId);
        ctx.log(`customer anonymised by ${principalOf(req)!.id}: ${r.orders} orders → ${r.pseudonym ?? 'nothing to do'}`);
        res.json({ orders: r.orders, pseudonym: r.pseudonym });
      },
    },
  ];
}
