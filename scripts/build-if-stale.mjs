// Builds dist/ (npm run build) when it is missing or older than src/: shared by `npm test` and
// `npm run functions:prepare`, which both need the CommonJS build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Returns the exit status of the build (0 when nothing had to be done). */
export function buildIfStale() {
  const marker = join(root, 'dist', 'index.cjs');
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < newestMtime(join(root, 'src'));
  if (!stale) return 0;
  console.log('— dist/ is missing or older than src/: building first (npm run build) —');
  return spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;
}
