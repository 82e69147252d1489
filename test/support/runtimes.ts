/**
 * The real Node 16 and 18 binaries of WeChat cloud functions, for the tests that run the build
 * under them. `npm test` never downloads: a binary comes from .cache/runtimes (filled by
 * `node scripts/fetch-runtimes.mjs`, which `.ci/run` runs first) or, offline, from the npm cache.
 * When neither has it the suites are skipped, each named on the console and listed at the end of
 * `npm test` (`ORDERKIT_RUNTIME_SKIPS`); in CI (`CI=true` or `REQUIRE_RUNTIMES=1`) a missing
 * runtime fails them instead.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '..', '..');
export const REQUIRE_RUNTIMES = process.env.REQUIRE_RUNTIMES === '1' || process.env.CI === 'true' || process.env.CI === '1';
const SKIP_FILE = join(ROOT, process.env.ORDERKIT_RUNTIME_SKIPS ?? join('.cache', 'runtime-skipped.txt'));

export type Runtime = { bin: string; unavailable?: undefined } | { bin?: undefined; unavailable: string };

const found = new Map<number, Promise<Runtime>>();

/** The Node `major` binary, from .cache/runtimes or the npm cache; never from the network. */
export function nodeRuntime(major: number): Promise<Runtime> {
  let r = found.get(major);
  if (!r) {
    r = (async (): Promise<Runtime> => {
      const fetcher = (await import(pathToFileURL(join(ROOT, 'scripts/fetch-runtimes.mjs')).href)) as { ensureRuntime(major: number, o: { offline: boolean }): string };
      try {
        return { bin: fetcher.ensureRuntime(major, { offline: true }) };
      } catch (error) {
        const why = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        return { unavailable: `Node ${major} is neither in .cache/runtimes nor in the npm cache (run \`node scripts/fetch-runtimes.mjs\` once online): ${why}` };
      }
    })();
    found.set(major, r);
  }
  return r;
}

/**
 * For a suite that needs these runtimes: true when it should be skipped (and says so, on the
 * console and in the list `npm test` prints); false when they are all there, or when CI requires
 * them (the suite then fails on the missing binary).
 */
export async function skipWithoutRuntimes(suite: string, majors: number[]): Promise<boolean> {
  const missing = (await Promise.all(majors.map(nodeRuntime))).filter((r) => r.unavailable !== undefined);
  if (missing.length === 0 || REQUIRE_RUNTIMES) return false;
  noteSkip(suite, missing.map((r) => r.unavailable!).join('; '));
  return true;
}

/** Records a skipped suite and why, for the summary at the end of `npm test`. */
export function noteSkip(suite: string, why: string): void {
  console.warn(`SKIPPED ${suite}: ${why}`);
  try {
    mkdirSync(dirname(SKIP_FILE), { recursive: true });
    appendFileSync(SKIP_FILE, `${suite} — ${why}\n`);
  } catch {
    // the console line above still says it
  }
}

/** The binary, or a failure that says how to get it (CI, or a suite that did not skip). */
export async function requireRuntime(major: number): Promise<string> {
  const r = await nodeRuntime(major);
  if (r.bin !== undefined) return r.bin;
  throw new Error(`${r.unavailable}${REQUIRE_RUNTIMES ? ' — required here (CI=true or REQUIRE_RUNTIMES=1)' : ''}`);
}
