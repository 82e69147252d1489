// The shop of this example: a tiny catalogue, the pricing rules and the shopper's coupons. A real
// shop reads products from its database; prices must always come from the server, never from the
// page, which only sends SKUs and quantities.
const catalogue = {
  'OAT-1KG': { title: '有机燕麦片 1kg', price: 3300, category: 'grain', image: '/images/oat.png' },
  'MILK-250': { title: '纯牛奶 250ml×12', price: 5990, category: 'dairy', image: '/images/milk.png' },
  'TEA-100': { title: '明前龙井 100g', price: 12800, category: 'tea', image: '/images/tea.png' },
  'CARD-50': { title: '50 元礼品卡（电子卡）', price: 5000, category: 'card', fulfillment: 'virtual' },
};

const rules = {
  fullReductions: [{ id: 'mj-199-20', kind: 'threshold', threshold: 19900, off: 2000 }],
  coupons: [
    { id: 'new-10', kind: 'fixed', off: 1000, title: '新人券 ¥10', validity: { kind: 'window', from: '2025-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' } },
    { id: 'tea-15', kind: 'percent', offBp: 1500, cap: 3000, title: '茶叶 85 折', scope: { kind: 'category', categories: ['tea'] }, validity: { kind: 'window', from: '2025-01-01T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' } },
  ],
  freight: { defaultFee: 800, freeOver: 9900 },
};

// Stock (docs/inventory.md), set up on the first call of a fresh `order` instance for SKUs the
// inventory does not know yet (a later change of these numbers does not overwrite live stock):
// tea is 限购 (per customer), the gift card is taken at payment (付款减库存), the rest is held at
// placement (下单减库存) and given back when the order closes unpaid.
const stock = [
  { sku: 'OAT-1KG', available: 500 },
  { sku: 'MILK-250', available: 300 },
  { sku: 'TEA-100', available: 200, limit: { perCustomer: 5 } },
  { sku: 'CARD-50', available: 1000, policy: 'take_on_payment' },
];

// Demo wallet: every shopper holds one of each coupon. Replace with the coupons the user claimed.
function walletFor(openid) {
  return [
    { id: `${openid}-new-10`, definitionId: 'new-10' },
    { id: `${openid}-tea-15`, definitionId: 'tea-15' },
  ];
}

// The delivery modes the checkout offers (docs/delivery.md): express by the freight rule above,
// local courier by district (the page has no map to measure a distance) and pickup at a store.
const delivery = {
  local: {
    zones: [
      { id: 'nanshan', name: '南山区', fee: 600 },
      { id: 'futian', name: '福田区', fee: 900 },
    ],
    freeOver: 19900,
    leadMinutes: 60,
    maxDaysAhead: 2,
  },
  pickup: {
    stores: [{ id: 'sz-nanshan', name: '南山门店', address: '深圳市南山区科技园路 2 号', phone: '0755-26000000' }],
    maxDaysAhead: 3,
  },
};

module.exports = { catalogue, rules, walletFor, stock, delivery };
