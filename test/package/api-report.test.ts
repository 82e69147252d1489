import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { entries, report } from '../../scripts/api-report.mjs';

/**
 * The committed API report (api/*.api.md) is what the build exports. CI regenerates every entry's
 * report after the build (`npm run api:report -- --check` in .ci/run); this test checks, so that
 * `npm test` alone also notices a public change, that every entry's runtime names are the build's
 * and that the smallest entry's report, signatures included, is what the script writes.
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

  it('matches the build, signatures included, for the xstate entry (CI checks every entry after the build)', () => {
    const e = all.find((x) => x.name === 'xstate')!;
    if (!existsSync(e.dts)) throw new Error(`${e.dts} is missing: run \`npm run build\``);
    const program = ts.createProgram([e.dts], { strict: true, skipLibCheck: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
    const committed = readFileSync(join(root, 'api', 'xstate.api.md'), 'utf8');
    const text = report(e, program) as string;
    expect(text, 'public API changed: run npm run api:report and commit (api/xstate.api.md)').toBe(committed);
    expect(text).toContain('`toXstateMachine` (function): `(lifecycle: Pick<Lifecycle');
  });
});
