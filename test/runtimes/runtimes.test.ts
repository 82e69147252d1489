import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireRuntime, skipWithoutRuntimes } from '../support/runtimes.js';

/**
 * WeChat cloud functions run Node 16 (and newer): the CommonJS build must load and behave the
 * same there. This runs lifecycle-script.cjs under the real Node 16 and Node 18 binaries (from
 * .cache/runtimes or the npm cache, see test/support/runtimes.ts) and checks what it prints.
 */
const root = resolve(__dirname, '../..');
const script = join(__dirname, 'lifecycle-script.cjs');

function run(bin: string): Record<string, any> {
  for (const f of ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs']) {
    if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
  }
  const r = spawnSync(bin, [script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TZ: 'America/Los_Angeles' } });
  if (r.status !== 0) throw new Error(`${bin} exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as Record<string, any>;
}

let hostOutput: Record<string, any> | null = null;

// Skipped, and listed at the end of `npm test`, when the runtimes cannot be had offline; CI requires them.
const skip = await skipWithoutRuntimes('test/runtimes: the CommonJS build under Node 16 and 18', [16, 18]);

describe.skipIf(skip).each([16, 18])('the CommonJS build under Node %i', (major) => {
  it('runs a lifecycle, zoned deadlines, paySign, a v3 notification and the cloud store, as the host Node does', async () => {
    const out = run(await requireRuntime(major));
    expect(out.node.startsWith(`v${major}.`)).toBe(true);
    // Placed at 12:00 Beijing time: 30 minutes to pay, and time_expire said in Beijing time.
    expect(out.placed).toMatchObject({ status: 'pending_payment', total: 9900, payBy: '2026-11-25T04:30:00.000Z' });
    expect(out.placed.number).toMatch(/^20261125120000\d{10}$/);
    expect(out.timeExpire).toBe('2026-11-25T12:30:00+08:00');
    expect(out.lifecycle).toEqual(['paid', 'shipped', 'completed']);
    expect(out.version).toBe(4);
    // Shipped 2026-11-26T02:00Z: receipt is confirmed automatically seven calendar days later.
    expect(out.autoConfirmAt).toBe('2026-12-03T02:00:00.000Z');
    // 12:00 in New York on 7 March + 1 day is 12:00 EDT on 8 March: 23 hours, whatever the host zone.
    expect(out.dstDay).toBe('2026-03-08T16:00:00.000Z');
    expect(out.zoned).toEqual({
      nyFirst: '2026-11-01T01:30:00-04:00',
      nySecond: '2026-11-01T01:30:00-05:00',
      shanghai1988: '1988-07-01T09:00:00+09:00',
      london: '2026-03-29 02:30',
      monthEnd: '2026-02-28T04:00:00.000Z',
      lordHowe: '2026-04-05T14:30:00.000Z',
      kolkataNumber: '202611250930005555555555',
      fixed: '2026-11-24T22:30:00-05:30',
      offset: -14_400_000,
    });
    expect(out.paySignVerifies).toBe(true);
    expect(out.notification).toEqual({ type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: '4200000001', outTradeNo: out.placed.number, paidAt: '2026-11-25T04:05:00.000Z' });
    expect(out.store).toMatchObject({ status: 'paid', history: 2 });
    expect(out.store.claimed).toBeGreaterThanOrEqual(2);

    hostOutput ??= run(process.execPath);
    const { node: _old, ...rest } = out;
    const { node: _host, ...hostRest } = hostOutput;
    expect(rest).toEqual(hostRest);
  });
});
