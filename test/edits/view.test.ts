import { describe, expect, it } from 'vitest';
import { orderView } from '../../src/view/index.js';
import { NOW, customer, merchant, must, place } from '../lifecycle/fixtures.js';

describe('order detail view: 改价 and 备注', () => {
  it('shows the adjusted price with its reason, and the merchant notes to staff; the buttons follow allowedActions', () => {
    const o = place({ freight: 800 });
    const adjusted = must(o, { type: 'ADJUST_PRICE', newTotal: 3000, reason: '老客优惠' }, merchant).order;
    const noted = must(adjusted, { type: 'ADD_REMARK', text: '周末送货' }, merchant).order;
    const v = orderView(noted, { actor: customer, now: NOW });
    expect(v.priceAdjustment).toEqual({ reason: '老客优惠', total: expect.objectContaining({ fen: 3000 }), amount: expect.objectContaining({ fen: 300 }), signedText: '-¥3.00' });
    // 商家备注 are the shop's own: staff see them, the shopper's view has none (docs/views.md).
    expect(v.merchantNotes).toEqual([]);
    expect(orderView(noted, { actor: merchant, now: NOW }).merchantNotes).toEqual([{ text: '周末送货', atText: expect.any(String) }]);
    expect(v.pricing.adjustments.map((a) => [a.sourceLabel, a.reason, a.signedText])).toEqual([['商家改价', '老客优惠', '-¥3.00']]);
    // Receipt identity on screen: goods − adjustments + freight = total.
    const adj = v.pricing.adjustments.reduce((s, a) => s + a.amount.fen, 0);
    expect(v.pricing.itemsTotal.fen - adj + v.pricing.freightFee.fen).toBe(v.pricing.total.fen);
    expect(orderView(o, { actor: customer, now: NOW }).priceAdjustment).toBeUndefined();
    const merchantButtons = orderView(noted, { actor: merchant, now: NOW }).actions.map((a) => a.command);
    expect(merchantButtons).toEqual(expect.arrayContaining(['ADJUST_PRICE', 'CHANGE_ADDRESS', 'ADD_REMARK']));
    expect(v.actions.map((a) => a.command)).toContain('CHANGE_ADDRESS');
    expect(v.actions.map((a) => a.command)).not.toContain('ADJUST_PRICE');
  });

  it('an adjustment below the freight still adds up on screen', () => {
    const low = must(place({ freight: 800 }), { type: 'ADJUST_PRICE', newTotal: 500, reason: '补偿' }, merchant).order;
    const v = orderView(low, { actor: customer, now: NOW });
    const adj = v.pricing.adjustments.reduce((s, a) => s + a.amount.fen, 0);
    expect(v.pricing.itemsTotal.fen - adj + v.pricing.freightFee.fen).toBe(500);
    expect(v.priceAdjustment?.amount.fen).toBe(2800);
  });
});
