#!/usr/bin/env node
// `npm run size` (CI runs it after the build): what a cloud function loads from wx-orderkit, in bytes.
//
// 1. The root entry's OWN code: src/index.ts bundled as the build bundles it (CommonJS, node16,
//    minified) with every package left out, gzipped. The goal is ≤ 25 kB and is NOT met yet (88.0 kB
//    on 2026-12-07: the root exports the whole core). CI fails when it grows past CEILING, just
//    above that figure: lower CEILING as the root entry shrinks, to the goal once it is met
//    (docs/benchmarks.md, "Cold start"). `--markdown` also weighs each module of src/ in it, so
//    that what to move out of the root can be chosen by size.
// 2. What each entry really loads from dist/: its file and every chunk it requires, transitively
//    (bundled zod/mini included), raw and gzipped; and the three entries a cloud function requires
//    together (root, wechatpay, wx-cloud), each file counted once.
// 3. Beside them, the whole of a cloud function deployed as one file: bench/cold-start/bundle.mjs
//    bundles what the cold-start bench's first call uses (the cloud-database stand-in included)
//    from the published ESM build with esbuild, tree-shaken.
//
// `--markdown` prints the tables for docs/benchmarks.md instead.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleFunction } from '../bench/cold-start/bundle.mjs';

const GOAL = 25 * 1024;
// 93.6 kB since the fifteenth session's after-sales money fixes (docs/benchmarks.md, "Sizes").
const CEILING = Math.round(93.6 * 1024);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const markdown = process.argv.includes('--markdown');
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;

const own = await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node16',
  minify: true,
  treeShaking: true,
  packages: 'external',
  write: false,
  metafile: true,
  logLevel: 'error',
  outfile: join(root, '.cache', 'size-own.cjs'),
});
const ownBytes = own.outputFiles[0].contents;
const ownGz = gzipSync(ownBytes, { level: 9 }).length;

/** The root's own code by module (src/<dir>, or a bundled package), minified bytes, largest first. */
function byModule() {
  const inputs = Object.values(own.metafile.outputs)[0].inputs;
  const modules = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const parts = file.split('/');
    const name = parts[0] === 'src' ? (parts.length > 2 ? `src/${parts[1]}/` : file) : parts.slice(0, parts[1]?.startsWith('@') ? 3 : 2).join('/');
    const m = modules.get(name) ?? { bytes: 0, files: [] };
    m.bytes += bytesInOutput;
    m.files.push([file.replace(/^src\//, ''), bytesInOutput]);
    modules.set(name, m);
  }
  return [...modules].sort((a, b) => b[1].bytes - a[1].bytes);
}

/** The dist files an entry loads: itself and its relative requires, transitively. */
function closure(entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(join(dist, entry), 'utf8');
  for (const m of text.matchAll(/require\(["']\.\/([^"']+)["']\)/g)) closure(m[1], seen);
  return seen;
}
function measure(files) {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(dist, f));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gz, files: files.size };
}

const entries = ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs'];
if (!entries.every((e) => existsSync(join(dist, e)))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const rows = entries.map((e) => ({ name: e, ...measure(closure(e)) }));
const together = new Set();
for (const e of entries) closure(e, together);
rows.push({ name: 'all three (a cloud function)', ...measure(together) });
const bundle = await bundleFunction();
rows.push({ name: 'one bundled file (a cloud function bundled by esbuild, stand-in included)', raw: bundle.length, gz: gzipSync(bundle, { level: 9 }).length, files: 1 });

const over = ownGz > CEILING;
const goalText = ownGz <= GOAL ? 'met' : `NOT met (${kB(ownGz - GOAL)} over)`;
if (markdown) {
  console.log(`| Root entry's own code (minified, packages left out) | raw | gzipped | goal ≤ ${kB(GOAL)} gzipped | CI ceiling |
| --- | --- | --- | --- | --- |
| \`src/index.ts\` | ${kB(ownBytes.length)} | ${kB(ownGz)} | ${goalText} | ${kB(CEILING)} |

| What a cloud function loads (\`require\` from \`dist/\`, or one bundled file) | files | raw | gzipped |
| --- | --- | --- | --- |
${rows.map((r) => `| \`${r.name}\` | ${r.files} | ${kB(r.raw)} | ${kB(r.gz)} |`).join('\n')}

The root entry's own code by module (minified bytes in it; the gzipped column is that share of the
gzipped whole, an estimate; the three largest files of each module beside it):

| Module | minified | share | ≈ gzipped | largest files |
| --- | --- | --- | --- | --- |
${byModule()
  .map(([name, m]) => {
    const share = m.bytes / ownBytes.length;
    const top = m.files.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([f, b]) => `${f} ${kB(b)}`).join(', ');
    return `| \`${name}\` | ${kB(m.bytes)} | ${(share * 100).toFixed(1)} % | ${kB(share * ownGz)} | ${top} |`;
  })
  .join('\n')}`);
} else {
  console.log(`root entry's own code: ${kB(ownBytes.length)} minified, ${kB(ownGz)} gzipped (goal ≤ ${kB(GOAL)}: ${goalText}; CI ceiling ${kB(CEILING)})`);
  for (const r of rows) console.log(`${r.name}: ${r.files} file(s), ${kB(r.raw)} raw, ${kB(r.gz)} gzipped`);
  if (over) console.error(`the root entry's own code grew past the CI ceiling (${kB(ownGz)} > ${kB(CEILING)}): see docs/benchmarks.md, "Cold start"`);
}
process.exit(over ? 1 : 0);
