// Bundles bench/cold-start/bundled-function.mjs into one CommonJS file, the way a cloud function
// can be deployed (esbuild, tree-shaken from the published ESM build in dist/, minified, node16 as
// tsup.config.ts targets). One place for the options: the cold-start bench runs the bundle and
// scripts/size-budget.mjs weighs it (docs/benchmarks.md, "Cold start").
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the function; writes it to `outfile` when given; returns its bytes. */
export async function bundleFunction(outfile) {
  const result = await build({
    entryPoints: [join(here, 'bundled-function.mjs')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node16',
    minify: true,
    treeShaking: true,
    // The optional peers stay outside, as in a function that does not use them.
    external: ['pg', '@electric-sql/pglite', 'fast-check', 'vitest', 'xstate', 'ioredis'],
    write: false,
    outfile: join(here, 'bundled-function.cjs'),
    // dist's entries import their chunks for side effects, and the package declares none
    // (`sideEffects: false`): esbuild warns that it drops such imports, which is what that asks for.
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  if (outfile !== undefined) writeFileSync(outfile, bytes);
  return bytes;
}
