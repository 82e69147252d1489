import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every ```ts and ```js sample in docs/*.md and the READMEs runs as written, against the built
 * package (`wx-orderkit` resolves to dist/ with its .d.ts): each is written to a file of its own,
 * the TypeScript ones are type-checked together (strict), the JavaScript ones checked for names
 * they never define, and each is run with Node (TypeScript as tsc writes it) in an empty folder of
 * its own. Cloud-function samples get the wx-server-sdk test stub (test/docs/cloud-sdk, whose database
 * is the cloud database stand-in). A sample may opt out with a marker on the line before its
 * fence, with the reason, used sparingly:
 *
 *   <!-- sample: fragment — <why it is not a whole program> -->      neither checked nor run
 *   <!-- sample: typecheck-only — <why it cannot run in a test> -->  type-checked, not run
 */
const root = resolve(__dirname, '../..');
const MARKER = /^<!--\s*sample:\s*(fragment|typecheck-only)\s*[—–-]+\s*(.+?)\s*-->$/;

interface Sample {
  doc: string;
  line: number;
  lang: 'ts' | 'js';
  code: string;
  mode: 'run' | 'typecheck-only' | 'fragment';
  reason?: string;
  file?: string;
}

function docs(): string[] {
  const list = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  list.push('README.md', 'README.zh-CN.md');
  for (const ex of readdirSync(join(root, 'examples'), { withFileTypes: true })) {
    if (ex.isDirectory() && existsSync(join(root, 'examples', ex.name, 'README.md'))) list.push(`examples/${ex.name}/README.md`);
  }
  return list.sort();
}

function extractSamples(doc: string, text: string): Sample[] {
  const lines = text.split('\n');
  const out: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript)\s*$/.exec(lines[i]!.trim());
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    let prev = i - 1;
    while (prev >= 0 && lines[prev]!.trim() === '') prev--;
    const marker = prev >= 0 ? MARKER.exec(lines[prev]!.trim()) : null;
    out.push({
      doc,
      line: i + 1,
      lang: open[1]!.startsWith('t') ? 'ts' : 'js',
      code: lines.slice(i + 1, end).join('\n'),
      mode: marker ? (marker[1] as Sample['mode']) : 'run',
      ...(marker ? { reason: marker[2] } : {}),
    });
    i = end;
  }
  return out;
}

/**
 * `run`: also run each sample with Node (test/load/doc-samples.load.test.ts, which CI runs); `npm test`
 * (test/docs/samples.test.ts) type-checks them only, for its time budget.
 */
export function docSamples({ run }: { run: boolean }): void {
  const samples = docs().flatMap((doc) => extractSamples(doc, readFileSync(join(root, doc), 'utf8')));
  const dir = join(root, '.tmp', `doc-samples-${process.pid}`);
  let typeErrors = new Map<string, string[]>();

  function fileFor(s: Sample): string {
    const slug = `${s.doc.replace(/[^a-zA-Z0-9]+/g, '-')}-L${s.line}`;
    if (s.lang === 'ts') return `${slug}.mts`;
    return /\brequire\(/.test(s.code) ? `${slug}.cjs` : `${slug}.mjs`;
  }

  beforeAll(() => {
    for (const f of ['index.js', 'index.d.ts', 'postgres.js', 'wechatpay.js', 'analytics.js', 'testing.js']) {
      if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const checked: string[] = [];
    for (const s of samples) {
      if (s.mode === 'fragment') continue;
      s.file = join(dir, fileFor(s));
      // A file without import/export would be a script: make it a module so samples never share names.
      const moduleMark = /^\s*(import|export)\s/m.test(s.code) || s.lang === 'js' ? '' : '\nexport {};\n';
      writeFileSync(s.file, `${s.code}\n${moduleMark}`);
      checked.push(basename(s.file));
    }
    // The samples are a user's code: strict TypeScript, node16 resolution of the package's exports.
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        // tsc also writes the JavaScript that runs (out/), so no TypeScript loader starts per sample.
        compilerOptions: { target: 'ES2022', lib: ['ES2022'], module: 'nodenext', moduleResolution: 'nodenext', strict: true, rootDir: '.', outDir: 'out', noEmitOnError: false, skipLibCheck: true, allowJs: true, checkJs: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
        files: checked,
      }),
    );
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8', timeout: 240_000 });
    typeErrors = new Map();
    let diagnostics = 0;
    for (const line of r.stdout.split('\n')) {
      const m = /^(.+?\.(mts|mjs|cjs))\((\d+),\d+\): (error TS(\d+).*)$/.exec(line);
      if (!m) continue;
      diagnostics++;
      // JavaScript has no annotations, so only what no type can excuse counts there: a name the
      // sample never defines (TS2304/2552), or one used before it is defined (TS2448/2454).
      if (m[2] !== 'mts' && !['2304', '2552', '2448', '2454'].includes(m[5]!)) continue;
      const key = basename(m[1]!);
      typeErrors.set(key, [...(typeErrors.get(key) ?? []), `line ${m[3]}: ${m[4]}`]);
    }
    if (r.status !== 0 && diagnostics === 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  }, 300_000);

  afterAll(() => {
    if (process.env.KEEP_DOC_SAMPLES !== '1') rmSync(dir, { recursive: true, force: true });
  });

  function runSample(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cwd = mkdtempSync(join(tmpdir(), 'wx-orderkit-sample-'));
    const args = [file.endsWith('.mts') ? join(dir, 'out', basename(file).replace(/\.mts$/, '.mjs')) : file];
    return new Promise((done) => {
      const env = { ...process.env, DATABASE_URL: '', NODE_OPTIONS: '', NODE_PATH: join(__dirname, 'cloud-sdk') };
      // Generous: PGlite creating its data folder takes seconds, and minutes on a loaded machine.
      const child = spawn(process.execPath, args, { cwd, env, timeout: 280_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => {
        rmSync(cwd, { recursive: true, force: true });
        done({ code, stdout, stderr });
      });
    });
  }

  describe('code samples in the docs', () => {
    it('there are samples, and every opt-out says why', () => {
      expect(samples.length).toBeGreaterThan(15);
      for (const s of samples.filter((x) => x.mode !== 'run')) expect(s.reason?.length ?? 0, `${s.doc}:${s.line}`).toBeGreaterThan(15);
      // Sparingly: most samples run.
      expect(samples.filter((s) => s.mode === 'run').length).toBeGreaterThan(samples.length / 2);
    });

    it('finds the samples and the markers (the extractor itself)', () => {
      const text = ['a', '```ts', 'const x = 1;', '```', '<!-- sample: fragment — the shape of the data, not code -->', '```js', '{ lines }', '```', '```sh', 'npm test', '```'].join('\n');
      expect(extractSamples('x.md', text).map((s) => [s.line, s.lang, s.mode, s.code])).toEqual([
        [2, 'ts', 'run', 'const x = 1;'],
        [6, 'js', 'fragment', '{ lines }'],
      ]);
    });

    const checked = samples.filter((s) => s.mode !== 'fragment').map((s) => [`${s.doc}:${s.line}`, s] as const);
    it.each(checked)('%s type-checks (JavaScript: defines every name it uses)', (_name, s) => {
      expect(typeErrors.get(basename(s.file!)) ?? []).toEqual([]);
    });

    // Several at a time (vitest's maxConcurrency): each is a Node process of its own, mostly waiting.
    if (!run) return;
    it.concurrent.each(checked.filter(([, s]) => s.mode === 'run'))(
      '%s runs',
      async (_name, s) => {
        const r = await runSample(s.file!);
        expect(r.stderr.trim() === '' || r.code === 0 ? '' : r.stderr.trim()).toBe('');
        expect(r.code).toBe(0);
      },
      300_000,
    );
  });
}
