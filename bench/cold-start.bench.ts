/**
 * `npm run bench -- cold-start`: what a cloud function pays on its first call, as whole processes.
 *
 * bench/cold-start/first-call.cjs requires the root entry, wx-orderkit/wechatpay and
 * wx-orderkit/wx-cloud from dist/ (CommonJS), places an order through the service on the cloud
 * database stand-in, verifies a signed v3 notification and dispatches it. Each runtime (this Node,
 * and the real Node 16 and 18 binaries of scripts/fetch-runtimes.mjs) runs that script and a bare
 * `node -e 0` in turn, ROUNDS times interleaved (the order flips every round), and the figure is
 * the difference of the medians. Goal: ≤ 40 ms over bare node on Node 16 and on Node 20.
 *
 * Beside it: the same first call of a function deployed as one file bundled by esbuild from the
 * published ESM build (bench/cold-start/bundle.mjs, made once per run before the rounds); for the
 * record, the requires alone (no call); compiling alone (bench/cold-start/
 * compile-only.cjs: V8 compiles every dist file the three entries load and runs none); the first
 * call with a V8 code cache (an experiment, bench/cold-start/code-cache.cjs: the cache is recorded
 * by the same binary in the same run, before the rounds); and `require('xstate')` and
 * `require('zod')` alone over bare node (what the dependencies would cost if they were loaded).
 * The first-call script also reports the CPU time of each of its phases; their medians make the
 * "where the time goes" table. Written to docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeFixture } from './cold-start/fixture.js';
import { machineLine, table, writeSection } from './report.js';

const ROUNDS = Number(process.env.COLD_START_ROUNDS ?? 25);
const GOAL_MS = 40;
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = join(root, 'dist');
const script = join(root, 'bench', 'cold-start', 'first-call.cjs');
const requireHere = createRequire(join(root, 'package.json'));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// The figure is about the published build: build when dist/ is missing or older than src/.
if (!existsSync(join(dist, 'index.cjs')) || statSync(join(dist, 'index.cjs')).mtimeMs < newestMtime(join(root, 'src'))) {
  console.log('— dist/ is missing or older than src/: building first (npm run build) —');
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

// ---- runs ------------------------------------------------------------------------------------

interface Variant {
  name: string;
  args: string[];
  /** What stdout must be, so a broken run never counts as a fast one. */
  expect?: string;
  /** Extra environment (the code-cache experiment's directory and mode). */
  env?: Record<string, string>;
}

const cpuPreload = join(root, 'bench', 'cold-start', 'cpu-at-exit.cjs');

/** Wall time of the whole process as seen from here, and the CPU time it reports at exit (ms). */
function timeRun(bin: string, v: Variant, env: Record<string, string> = {}): { wall: number; cpu: number; phases?: Record<string, number> } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, ['-r', cpuPreload, ...v.args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...v.env, ...env } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${bin} ${v.name} exited with ${r.status}: ${r.stderr}`);
  if (v.expect !== undefined && r.stdout.trim() !== v.expect) throw new Error(`${bin} ${v.name} printed ${JSON.stringify(r.stdout)}, expected ${v.expect}`);
  const m = /cold-start-cpu-us (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`${bin} ${v.name} did not report its CPU time: ${r.stderr}`);
  const cache = /cold-start-code-cache used=(\d+) rejected=(\d+)/.exec(r.stderr);
  if (cache && (cache[1] === '0' || cache[2] !== '0')) throw new Error(`${bin} ${v.name}: the code cache was not used (${cache[0]})`);
  const p = /cold-start-phases (\{.*\})/.exec(r.stderr);
  const phases = p ? (JSON.parse(p[1]!) as Record<string, number>) : undefined;
  return { wall, cpu: Number(m[1]) / 1000, phases };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function runtimes(): Promise<Array<{ label: string; bin: string }>> {
  const out = [{ label: `Node ${process.versions.node}`, bin: process.execPath }];
  const fetcher: { ensureRuntime(major: number): string } = await import(pathToFileURL(join(root, 'scripts', 'fetch-runtimes.mjs')).href);
  // COLD_START_RUNTIMES=16 measures only Node 16 beside this Node (default: 16 and 18).
  const majors = (process.env.COLD_START_RUNTIMES ?? '16,18').split(',').filter(Boolean).map(Number);
  for (const major of majors) {
    try {
      const bin = fetcher.ensureRuntime(major);
      const v = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
      out.unshift({ label: `Node ${v}`, bin });
    } catch (e) {
      console.error(`Node ${major} runtime unavailable (${(e as Error).message}): not measured`);
    }
  }
  return out.sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
}

const fixtureDir = mkdtempSync(join(tmpdir(), 'orderkit-cold-'));
const fixture = makeFixture(fixtureDir);
const bundled = join(fixtureDir, 'bundled-function.cjs');
const bundler: { bundleFunction(outfile?: string): Promise<Uint8Array> } = await import(pathToFileURL(join(root, 'bench', 'cold-start', 'bundle.mjs')).href);
await bundler.bundleFunction(bundled);
const requireOnly = `for (const f of ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs']) require(${JSON.stringify(dist)} + '/' + f)`;
const codeCachePreload = join(root, 'bench', 'cold-start', 'code-cache.cjs');
const variants: Variant[] = [
  { name: 'bare', args: ['-e', '0'] },
  { name: 'first call', args: [script, dist, fixture], expect: 'paid 9900 204' },
  { name: 'first call, bundled function', args: [script, dist, fixture, bundled], expect: 'paid 9900 204' },
  { name: 'requires only', args: ['-e', requireOnly] },
  { name: 'compile only', args: [join(root, 'bench', 'cold-start', 'compile-only.cjs'), dist] },
  // The cache directory is per runtime: timeRun's env adds it (see the loop below).
  { name: 'first call, code cache', args: ['-r', codeCachePreload, script, dist, fixture], expect: 'paid 9900 204', env: { COLD_START_DIST: dist, COLD_START_CODE_CACHE_MODE: 'use' } },
  { name: 'xstate alone', args: ['-e', `require(${JSON.stringify(requireHere.resolve('xstate'))})`] },
  { name: 'zod alone', args: ['-e', `require(${JSON.stringify(requireHere.resolve('zod'))})`] },
];
const PHASES = ['require root', 'require wechatpay', 'require wx-cloud', 'stand-in and store', 'priceCart', 'place', 'verify notification', 'dispatch'] as const;

type Kind = 'wall' | 'cpu';
interface Row {
  label: string;
  /** Median per variant, for wall time and for CPU time (ms). */
  medians: Record<Kind, Record<string, number>>;
  /** Median CPU time of each phase of the plain first call (ms). */
  phases: Record<string, number>;
}
const rows: Row[] = [];
const loadBefore = loadavg()[0]!;
for (const { label, bin } of await runtimes()) {
  const samples: Record<Kind, Record<string, number[]>> = {
    wall: Object.fromEntries(variants.map((v) => [v.name, []])),
    cpu: Object.fromEntries(variants.map((v) => [v.name, []])),
  };
  // The code cache of this runtime, recorded by one plain first call of the same binary.
  const cacheEnv = { COLD_START_CODE_CACHE: join(fixtureDir, `code-cache-${label.replace(/\W+/g, '-')}`) };
  timeRun(bin, { ...variants.find((v) => v.name === 'first call, code cache')!, name: 'code cache record' }, { ...cacheEnv, COLD_START_CODE_CACHE_MODE: 'record' });
  const phaseSamples: Record<string, number[]> = Object.fromEntries(PHASES.map((p) => [p, []]));
  for (const v of variants) timeRun(bin, v, cacheEnv); // warm the file cache once
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const t = timeRun(bin, v, cacheEnv);
      samples.wall[v.name]!.push(t.wall);
      samples.cpu[v.name]!.push(t.cpu);
      if (v.name === 'first call' && t.phases) for (const p of PHASES) phaseSamples[p]!.push((t.phases[p] ?? 0) / 1000);
    }
  }
  const medians = {
    wall: Object.fromEntries(variants.map((v) => [v.name, median(samples.wall[v.name]!)])),
    cpu: Object.fromEntries(variants.map((v) => [v.name, median(samples.cpu[v.name]!)])),
  };
  const phases = Object.fromEntries(PHASES.map((p) => [p, median(phaseSamples[p]!)]));
  rows.push({ label, medians, phases });
  for (const kind of ['cpu', 'wall'] as const) {
    const m = medians[kind];
    const over = (name: string) => (m[name]! - m.bare!).toFixed(1);
    console.log(`${label} ${kind}: bare ${m.bare!.toFixed(1)} ms; first call +${over('first call')} ms; bundled function +${over('first call, bundled function')} ms; requires only +${over('requires only')} ms; compile only +${over('compile only')} ms; first call with code cache +${over('first call, code cache')} ms; xstate +${over('xstate alone')} ms; zod +${over('zod alone')} ms`);
  }
  console.log(`${label} phases (CPU): ${PHASES.map((p) => `${p} ${phases[p]!.toFixed(1)}`).join('; ')}`);
}
const loadAfter = loadavg()[0]!;
rmSync(fixtureDir, { recursive: true, force: true });

// ---- sizes (the CI budget is scripts/size-budget.mjs) --------------------------------------------

const sizeRun = spawnSync(process.execPath, [join(root, 'scripts', 'size-budget.mjs'), '--markdown'], { encoding: 'utf8' });
const sizes = sizeRun.status === 0 ? sizeRun.stdout.trim() : '(scripts/size-budget.mjs failed: see its output)';

/** Whether the root entry (its file and the chunks it requires) still requires xstate. */
function requiresXstate(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(join(dist, file), 'utf8');
  if (/require\(["']xstate["']\)/.test(text)) return true;
  return [...text.matchAll(/require\(["']\.\/([^"']+)["']\)/g)].some((m) => requiresXstate(m[1]!, seen));
}
const rootXstate = requiresXstate('index.cjs');

const gated = (label: string) => /^Node (16|20)\./.test(label);
const fmt = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms`;
const verdict = (label: string, ms: number) => {
  if (!gated(label)) return ms <= GOAL_MS ? 'met (not gated)' : 'over (not gated)';
  return ms <= GOAL_MS ? '**met**' : '**NOT met**';
};
const tableRows = rows.flatMap(({ label, medians }) =>
  (['cpu', 'wall'] as const).map((kind) => {
    const m = medians[kind];
    return [
      label,
      kind === 'cpu' ? 'CPU' : 'wall',
      `${m.bare!.toFixed(1)} ms`,
      fmt(m['first call']! - m.bare!),
      verdict(label, m['first call']! - m.bare!),
      `${fmt(m['first call, bundled function']! - m.bare!)} (${verdict(label, m['first call, bundled function']! - m.bare!).replace(/\*\*/g, '').replace(' (not gated)', ', not gated')})`,
      fmt(m['requires only']! - m.bare!),
      fmt(m['compile only']! - m.bare!),
      `${fmt(m['first call, code cache']! - m.bare!)} (${m['first call, code cache']! - m.bare! <= GOAL_MS ? 'would meet' : 'would not meet'})`,
      fmt(m['xstate alone']! - m.bare!),
      fmt(m['zod alone']! - m.bare!),
    ];
  }),
);

const markdown = `## Cold start of a cloud function / 云函数冷启动 (\`npm run bench -- cold-start\`)

${machineLine()} Medians of ${ROUNDS} interleaved process runs per runtime; load average
${loadBefore.toFixed(1)} before the runs and ${loadAfter.toFixed(1)} after them.

${table(
  ['Runtime', 'time', 'bare \`node -e 0\`', 'first call (over bare)', 'goal ≤ 40 ms', 'first call, bundled function', 'requires only', 'compile only', 'first call, V8 code cache (experiment)', '\`xstate\` alone', '\`zod\` alone'],
  tableRows,
)}

Where the first call's CPU time goes (medians of the phases \`first-call.cjs\` reports, ms; what the
process does before the script starts and at exit is in bare node too):

${table(
  ['Runtime', ...PHASES.map((p) => '`' + p + '`'), 'sum'],
  rows.map(({ label, phases }) => [label, ...PHASES.map((p) => phases[p]!.toFixed(1)), PHASES.reduce((a, p) => a + phases[p]!, 0).toFixed(1)]),
)}

**English.** "First call" is \`bench/cold-start/first-call.cjs\`: \`require\` of \`wx-orderkit\`,
\`wx-orderkit/wechatpay\` and \`wx-orderkit/wx-cloud\` (the CommonJS build in \`dist/\`), then
\`priceCart\`, \`service.place\` (which runs \`placeOrder\`) through \`createOrderService\` on the
cloud-database stand-in, \`handlePaymentNotification\` (RSA signature check and AES-GCM decryption
of a v3 notification) and \`applyPaymentNotice\` (a \`dispatch\` of PAYMENT_SUCCEEDED). Each figure is
the difference of medians against a bare \`node -e 0\` run by the same binary in the same rounds.
The goal (≤ 40 ms) is set for Node 16 and Node 20; Node 18 is shown for reference. "First call,
bundled function" is the same script given one file instead of \`dist/\`: \`bench/cold-start/bundle.mjs\`
bundles with esbuild (minified, tree-shaken, once per run) what the script uses, imported by name
from the published ESM build (\`bench/cold-start/bundled-function.mjs\`), the stand-in included; a
cloud function deployed that way loads one file holding the code it names, instead of the files of
\`dist/\` holding everything the three entries export (its verdict in brackets). "Requires only"
loads the three entries without calling anything. "CPU" is the user + system time each process
reports at exit (\`process.cpuUsage()\`, through a preloaded \`bench/cold-start/cpu-at-exit.cjs\`);
"wall" is the whole process as the bench sees it. On a shared machine under load wall time swells
with waiting for a core, CPU time much less: read the CPU rows when the load average is high.
"Compile only" has V8 compile every \`dist/\` file the three entries load (their top level, the
way Node's CommonJS loader wraps them) and run none of it. "First call, V8 code cache" is an
experiment, not something the package ships: \`bench/cold-start/code-cache.cjs\` compiles the same
files with a code cache that the same binary recorded after one plain first call, in this run (so
the cache holds what that call compiled); a run where V8 rejected a cache is refused. A cache is
only accepted by the exact V8 build and flags that made it (a Node 20 cache is rejected by Node 16,
and one made by Node 16.20 would be rejected by a cloud runtime on a 16.x release with another V8). The
last two columns load a dependency by itself, for scale: \`zod\` is not loaded by the first call (the
part of \`zod/mini\` orderkit uses is bundled into \`dist/\`); \`xstate\` ${rootXstate ? '**is still required by the root entry** (issue 14 moves it to \`wx-orderkit/xstate\`), so its cost is inside the first call' : 'is not required by the root entry (it lives in \`wx-orderkit/xstate\`)'}.

**中文。** “首次调用”即 \`bench/cold-start/first-call.cjs\`：以 CommonJS 方式 \`require\`
\`wx-orderkit\`、\`wx-orderkit/wechatpay\` 与 \`wx-orderkit/wx-cloud\`（\`dist/\` 中的构建产物），然后
\`priceCart\`，经 \`createOrderService\` 在云数据库替身上 \`service.place\`（内部调用 \`placeOrder\`），
\`handlePaymentNotification\`（校验 v3 通知的 RSA 签名并以 AES-GCM 解密）以及 \`applyPaymentNotice\`
（对 PAYMENT_SUCCEEDED 的一次 \`dispatch\`）。每个数字都是与同一二进制、同一轮次中的空进程
\`node -e 0\` 中位数之差。目标（≤ 40 ms）针对 Node 16 与 Node 20；Node 18 仅供参考。“首次调用，打包的云函数”是同一脚本改为加载一个文件而不是
\`dist/\`：\`bench/cold-start/bundle.mjs\` 用 esbuild（压缩、tree-shaking，每次运行打包一次）把脚本用到的内容打包成一个文件，
这些内容按名称从发布的 ESM 构建中导入（\`bench/cold-start/bundled-function.mjs\`），云数据库替身也在其中；这样部署的云函数
只加载一个含有它所用代码的文件，而不是加载 \`dist/\` 中含有三个入口全部导出内容的各个文件（括号内为是否达到目标）。“仅 require”
只加载三个入口、不调用任何函数。“CPU”是每个进程退出时报告的用户态加内核态时间（\`process.cpuUsage()\`，
由预加载的 \`bench/cold-start/cpu-at-exit.cjs\` 输出）；“wall”是测试脚本看到的整个进程耗时。在负载较高的
共享机器上，墙钟时间会因等待 CPU 而膨胀，CPU 时间受影响小得多：负载均值高时请看 CPU 行。“仅编译”让 V8 编译
三个入口加载的每个 \`dist/\` 文件（按 Node 的 CommonJS 加载器那样包装后的顶层），但不运行任何代码。
“首次调用，V8 代码缓存”是一项实验，包本身并不提供：\`bench/cold-start/code-cache.cjs\` 用同一二进制在本次运行中
先做一次普通首次调用后记录下的代码缓存来编译同样的文件（因此缓存包含该次调用编译过的函数）；V8 拒绝了缓存的运行
不计入结果。代码缓存只被生成它的那个 V8 构建和同样的参数接受（Node 20 的缓存会被 Node 16 拒绝；Node 16.20 生成的缓存
在 V8 版本不同的其他 16.x 云端运行时上也会被拒绝）。最后两列单独加载
一个依赖作为参照：首次调用不会加载 \`zod\`（orderkit 用到的 \`zod/mini\` 部分已打包进 \`dist/\`）；
\`xstate\` ${rootXstate ? '**目前仍被根入口引用**（issue 14 会把它移到 \`wx-orderkit/xstate\`），其开销包含在首次调用中' : '不再被根入口引用（位于 \`wx-orderkit/xstate\`）'}。

### Sizes / 体积 (\`npm run size\`)

${sizes}
`;
writeSection('cold-start', markdown);
for (const kind of ['cpu', 'wall'] as const) {
  const failed = rows.filter(({ label, medians }) => gated(label) && medians[kind]['first call']! - medians[kind].bare! > GOAL_MS);
  if (failed.length > 0) console.log(`cold-start goal (≤ ${GOAL_MS} ms, ${kind}) NOT met on ${failed.map((r) => r.label).join(', ')}`);
}
