/**
 * `npm run docs:diagrams`: regenerates every code-drawn part of the docs. Each module in
 * scripts/diagrams/*.ts default-exports a function `(options: { root }) => string[]` that rewrites
 * the `<!-- generated:NAME:start -->…<!-- generated:NAME:end -->` sections of its doc and returns
 * the files it changed.
 *
 * `--check` changes nothing: it reports the docs that are out of date and exits 1 (for CI).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type DiagramModule = { default: (options: { root: string }) => string[] | Promise<string[]> };

/** Runs every diagram module; returns the docs that changed. */
export async function runDiagrams(options: { root?: string } = {}): Promise<string[]> {
  const root = resolve(options.root ?? process.cwd());
  const dir = join(root, 'scripts', 'diagrams');
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const changed: string[] = [];
  for (const file of modules) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as DiagramModule;
    if (typeof mod.default !== 'function') throw new Error(`scripts/diagrams/${file} has no default export`);
    for (const doc of await mod.default({ root })) if (changed.indexOf(doc) < 0) changed.push(doc);
  }
  return changed;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const root = process.cwd();
  let snapshot: Map<string, string> | undefined;
  if (check) {
    snapshot = new Map();
    for (const f of readdirSync(join(root, 'docs'))) if (f.endsWith('.md')) snapshot.set(join('docs', f), readFileSync(join(root, 'docs', f), 'utf8'));
  }
  const changed = await runDiagrams({ root });
  if (check) {
    for (const doc of changed) {
      const before = snapshot!.get(doc);
      if (before !== undefined) writeFileSync(join(root, doc), before);
    }
    if (changed.length > 0) {
      console.error(`out of date (run npm run docs:diagrams): ${changed.join(', ')}`);
      process.exit(1);
    }
    console.log('generated docs are up to date');
    return;
  }
  console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : 'generated docs are up to date');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
