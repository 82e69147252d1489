import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireRuntime, skipWithoutRuntimes } from '../support/runtimes.js';

/**
 * The service and the memory store from the CommonJS build, under the real Node 16 and 18 of
 * WeChat cloud functions (binaries fetched once into .cache/runtimes), compared with the host.
 */
const root = resolve(__dirname, '../..');
const script = join(__dirname, 'node16-script.cjs');

function run(bin: string): Record<string, unknown> {
  for (const f of ['index.cjs', 'postgres.cjs']) {
    if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
  }
  const r = spawnSync(bin, [script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
}

let host: Record<string, unknown> | null = null;

// Skipped, and listed at the end of `npm test`, when the runtimes cannot be had offline; CI requires them.
const skip = await skipWithoutRuntimes('test/service/node16: the order service under Node 16 and 18', [16, 18]);

describe.skipIf(skip).each([16, 18])('the order service from the CommonJS build under Node %i', (major) => {
  it('places, pays, sweeps, drains, pages and notifies as the host Node does', async () => {
    const out = run(await requireRuntime(major));
    expect(String(out.node).startsWith(`v${major}.`)).toBe(true);
    expect(out.placed).toEqual(['o1', true, 'o2']);
    expect(out.paid).toEqual(['paid', 2]);
    expect(out.dup).toBe(false);
    expect(out.refused).toBe('INVALID_TRANSITION');
    expect(out.sweep).toEqual({ expired: 1, autoConfirmed: 0, paidLate: 0, gatewayUnreachable: 0, expiredUnverified: 0, skipped: 0, corrupt: [] });
    expect(out.history).toEqual(['ORDER_PLACED', 'EXPIRE']);
    expect(out.heard).toEqual(['o1@1:pending_payment', 'o2@1:pending_payment', 'o1@2:paid', 'o2@2:closed']);
    host ??= run(process.execPath);
    const { node: _a, ...rest } = out;
    const { node: _b, ...hostRest } = host;
    expect(rest).toEqual(hostRest);
  });
});
