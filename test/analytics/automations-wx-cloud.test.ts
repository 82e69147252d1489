import { describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { firedOn, runAutomations } from '../../src/analytics/index.js';
import { createOrderService } from '../../src/service/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { RULES, shop } from './support/automation-shop.js';

/*
 * At most once per order and rule on the cloud database (docs/analytics.md "Automatic actions"):
 * workers on store instances of their own over one database (the stand-in) run the automatic
 * actions at the same moments; each (order, rule) fires once, whoever wins, and its effect is in
 * the outbox once under its stable id. The memory store is in automations.property.test.ts, the
 * PostgreSQL stores in test/load/automations-race.load.test.ts.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('automatic actions on the wx-cloud store (stand-in)', () => {
  it('fire once per order and rule with workers on store instances of their own', async () => {
    const db = createCloudDatabaseStandIn();
    const first = new WxCloudOrderStore(db);
    await first.ensureCollections();
    const { clock, service, ids } = await shop(first);
    const workers = [0, 1, 2].map(() => createOrderService({ store: new WxCloudOrderStore(db), clock, retryDelayMs: 0 }));
    const start = clock.now().getTime();
    const fired: string[] = [];
    const effectIds: string[] = [];
    for (const at of [25 * MINUTE, 26 * MINUTE, 43 * HOUR, 44 * HOUR]) {
      const now = new Date(start + at);
      clock.set(now);
      const reports = await Promise.all(workers.flatMap((w) => [runAutomations(w, { now, rules: RULES }), runAutomations(w, { now, rules: RULES })]));
      for (const r of reports) {
        fired.push(...r.fired.map((f) => `${f.orderId}:${f.rule}`));
        for (const f of r.fired) effectIds.push(...f.effectIds);
      }
    }
    // Every due rule fired, and none twice: 2 reminders, 2 shipping alerts, 2 fast refunds.
    expect(fired.sort()).toEqual([...new Set(fired)].sort());
    expect(fired.map((f) => f.split(':')[1]).sort()).toEqual(['fast_refund', 'fast_refund', 'payment_reminder', 'payment_reminder', 'shipping_alert', 'shipping_alert']);
    for (const id of ids) {
      const rules = firedOn(await service.history(id)).map((f) => f.rule);
      expect(new Set(rules).size).toBe(rules.length);
    }
    // The notifying rules' effects are in the outbox once each, under orderId:automation:rule.
    const outbox = db.dump('order_outbox').map((d) => String(d['_id']));
    for (const id of ids.slice(0, 2)) expect(outbox.filter((x) => x === `${id}:automation:payment_reminder`)).toHaveLength(1);
    for (const id of ids.slice(2, 4)) expect(outbox.filter((x) => x === `${id}:automation:shipping_alert`)).toHaveLength(1);
    for (const e of effectIds) expect(outbox).toContain(e);
  });
});
