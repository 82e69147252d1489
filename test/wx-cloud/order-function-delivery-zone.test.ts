/**
 * 同城配送 in the `order` cloud function: the fee goes by the zone (配送区域), and the example names
 * each zone after the district (区县) it covers, so the zone of a shopper's order must be the one
 * their address lies in; the distance is the shop's measurement, never the page's (docs/delivery.md
 * "In the examples", as the Express example does it). A shopper in 福田区 (¥9) used to place a
 * local delivery priced as 南山区 (¥6).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { loadFunctionFile, orderkitBuild, stubCloud } from './support/cloud-functions.js';

const SHOPPER = 'oShopper000000000000000001';
const FUTIAN = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', district: '福田区', detail: '福华路 1 号' };

const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
afterAll(() => errorLog.mockRestore());

const { orderkit, wechatpay, wxCloud } = orderkitBuild();

function world() {
  const db = createCloudDatabaseStandIn();
  const server = stubCloud(db);
  const { readSettings } = loadFunctionFile('order', 'settings.js', server.cloud);
  const shop = loadFunctionFile('order', 'shop.js', server.cloud);
  const { createOrderFunction } = loadFunctionFile('order', 'handler.js', server.cloud);
  const handle = createOrderFunction({ cloud: server.cloud, orderkit, wechatpay, wxCloud, settings: readSettings({ SUB_MCH_ID: '1900000109' }), shop });
  const call = async (data: Record<string, unknown>) => {
    server.as({ OPENID: SHOPPER, CLIENTIP: '10.0.0.8' });
    return handle(data, {});
  };
  return { db, call, shop };
}

describe('the order function: 同城配送 zone and distance', () => {
  const cart = [{ sku: 'OAT-1KG', quantity: 1 }];

  it('a zone other than the address’s district: DELIVERY_ZONE_MISMATCH at delivery.zone, nothing placed; the right zone places at its fee', async () => {
    const w = world();
    const slot = (await w.call({ action: 'quote', cart })).deliveryOptions.local.slots[0];
    const cheaper = await w.call({ action: 'place', cart, address: FUTIAN, delivery: { mode: 'local', zone: 'nanshan', slot } });
    expect(cheaper).toMatchObject({ ok: false, error: { code: 'DELIVERY_ZONE_MISMATCH', path: ['delivery', 'zone'], details: { zone: 'nanshan', district: '福田区' } } });
    expect(cheaper.error.messages['zh-CN']).toContain('福田区');
    // An address without a district cannot show which zone it is in.
    const { district: _none, ...noDistrict } = FUTIAN;
    expect(await w.call({ action: 'place', cart, address: noDistrict, delivery: { mode: 'local', zone: 'futian', slot } })).toMatchObject({ ok: false, error: { code: 'DELIVERY_ZONE_MISMATCH' } });
    expect(w.db.dump('orders')).toEqual([]);
    const right = await w.call({ action: 'place', cart, address: FUTIAN, delivery: { mode: 'local', zone: 'futian', slot } });
    expect(right.ok, JSON.stringify(right)).toBe(true);
    expect(right.order.pricing.freight.fen).toBe(900);
  });

  it('changeAddress keeps a zone-priced local order in its zone: another district is DELIVERY_ZONE_MISMATCH at address.district, unchanged; the same district goes through', async () => {
    const w = world();
    const slot = (await w.call({ action: 'quote', cart })).deliveryOptions.local.slots[0];
    const NANSHAN = { ...FUTIAN, district: '南山区', detail: '科技园 2 号' };
    const placed = await w.call({ action: 'place', cart, address: NANSHAN, delivery: { mode: 'local', zone: 'nanshan', slot } });
    expect(placed.ok, JSON.stringify(placed)).toBe(true);
    expect(placed.order.pricing.freight.fen).toBe(600);
    const dearer = await w.call({ action: 'changeAddress', orderId: placed.order.id, address: FUTIAN });
    expect(dearer).toMatchObject({ ok: false, error: { code: 'DELIVERY_ZONE_MISMATCH', path: ['address', 'district'], details: { zone: 'nanshan', district: '福田区' } } });
    expect((await w.call({ action: 'get', orderId: placed.order.id })).order.address.text).toContain('南山区');
    const sameDistrict = await w.call({ action: 'changeAddress', orderId: placed.order.id, address: { ...NANSHAN, detail: '科技园 9 号' } });
    expect(sameDistrict.ok, JSON.stringify(sameDistrict)).toBe(true);
  });

  it('a distance from the page is refused (FORBIDDEN at delivery.distance), even for a shop priced by distance bands', async () => {
    const w = world();
    w.shop.delivery.local.bands = [{ upTo: 3000, fee: 500 }, { upTo: 10000, fee: 1500 }];
    try {
      const slot = (await w.call({ action: 'quote', cart })).deliveryOptions.local.slots[0];
      for (const action of ['quote', 'place']) {
        const r = await w.call({ action, cart, address: FUTIAN, delivery: { mode: 'local', distance: 0, slot } });
        expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', path: ['delivery', 'distance'] } });
      }
      expect(w.db.dump('orders')).toEqual([]);
    } finally {
      delete w.shop.delivery.local.bands;
    }
  });
});
