import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { entries } from '../../scripts/api-report.mjs';

/**
 * The committed API report (api/*.api.md) is what the build exports. CI regenerates every entry's
 * report, signatures included, after the build (`npm run api:report -- --check` in .ci/run: the
 * compiler takes seconds, so it is not repeated here); this test checks, so that `npm test` alone
 * also notices a public change, that every entry's runtime names are the build's.
 */
const root = resolve(__dirname, '..', '..');
type Entry = { name: string; dts: string; cjs: string; sub: string };
const all = entries() as Entry[];

describe('api/*.api.md', () => {
  it('has one committed report per package entry', () => {
    expect(all.map((e) => e.name)).toContain('index');
    for (const e of all) expect(existsSync(join(root, 'api', `${e.name}.api.md`)), `api/${e.name}.api.md`).toBe(true);
  });

  it('lists exactly the runtime names of each built entry', () => {
    const { createRequire } = require('node:module') as typeof import('node:module');
    const load = createRequire(__filename);
    for (const e of all) {
      if (!existsSync(e.cjs)) throw new Error(`${e.cjs} is missing: run \`npm run build\``);
      const committed = readFileSync(join(root, 'api', `${e.name}.api.md`), 'utf8');
      const listed = [...committed.split('## Types')[0]!.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]).sort();
      const built = Object.keys(load(e.cjs) as object).sort();
      expect(listed, `public API changed: run npm run api:report and commit (api/${e.name}.api.md)`).toEqual(built);
    }
  });
});
