import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as advanced from '../../src/advanced.js';
import * as root from '../../src/index.js';

/**
 * The public API a user can hold in their head (docs/architecture.md "Public entries"): the root
 * entry keeps at most 150 runtime names, the building blocks live in wx-orderkit/advanced, and
 * every barrel names what it exports.
 */
const SRC = resolve(__dirname, '..', '..', 'src');
const MAX_ROOT_NAMES = 150;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));

describe('the root entry', () => {
  it(`has at most ${MAX_ROOT_NAMES} runtime names`, () => {
    const names = Object.keys(root);
    expect(names.length).toBeGreaterThan(50);
    expect(names.length).toBeLessThanOrEqual(MAX_ROOT_NAMES);
  });

  it('shares no runtime name with wx-orderkit/advanced', () => {
    const both = Object.keys(advanced).filter((n) => n in root);
    expect(both).toEqual([]);
  });

  it('keeps what the quick start and the docs use', () => {
    for (const n of ['createOrderService', 'MemoryOrderStore', 'createLifecycle', 'defineCommand', 'orderView', 'priceCart', 'ok', 'fail']) expect(root).toHaveProperty(n);
  });
});

describe('barrels name their exports', () => {
  it('no index.ts (nor src/advanced.ts) under src/ re-exports with export *', () => {
    const star = files(SRC)
      .filter((f) => /(^|[\\/])(index|advanced)\.ts$/.test(f))
      .filter((f) => /^\s*export \*/m.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(star).toEqual([]);
  });
});
