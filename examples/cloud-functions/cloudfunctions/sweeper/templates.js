// Subscribe-message templates: which template each orderkit `notify` effect uses, and how its
// fields are filled. The keys (thing1, amount2, …) must match YOUR template in 订阅消息 → 我的模板;
// their prefix is the field kind, and orderkit checks every value against that kind's limit
// before sending. A template without an id (env var unset) is skipped.
const detailPage = (o) => `pages/order-detail/index?id=${o.id}`;
const goods = (o) => (o.lines.length > 1 ? `${o.lines[0].title}等${o.lines.length}件` : o.lines[0].title);

function createTemplates(env) {
  const all = {
    order_paid: {
      templateId: env.TEMPLATE_ORDER_PAID || '',
      page: detailPage,
      fields: {
        character_string1: (o) => o.number,
        thing2: goods,
        amount3: (o) => o.payment.paidAmount,
        time4: (o) => new Date(o.paidAt || o.updatedAt),
      },
    },
    order_shipped: {
      templateId: env.TEMPLATE_ORDER_SHIPPED || '',
      page: detailPage,
      fields: {
        character_string1: (o) => o.number,
        thing2: goods,
        thing3: (o, ctx) => (ctx.data.trackingNo ? `${ctx.data.expressCompany || ''} ${ctx.data.trackingNo}` : '无需物流'),
        phrase4: () => '已发货',
      },
    },
    order_cancelled: {
      templateId: env.TEMPLATE_ORDER_CANCELLED || '',
      page: detailPage,
      fields: {
        character_string1: (o) => o.number,
        thing2: goods,
        phrase3: () => '已取消',
      },
    },
    refund_started: {
      templateId: env.TEMPLATE_REFUND_STARTED || '',
      page: detailPage,
      fields: {
        character_string1: (o) => o.number,
        amount2: (o, ctx) => (typeof ctx.data.refundAmount === 'number' ? ctx.data.refundAmount : o.payment.paidAmount),
        phrase3: () => '退款中',
      },
    },
  };
  const usable = {};
  for (const key of Object.keys(all)) if (all[key].templateId) usable[key] = all[key];
  return usable;
}

module.exports = { createTemplates };
