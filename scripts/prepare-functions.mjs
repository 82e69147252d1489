#!/usr/bin/env node
// `npm run functions:prepare`: makes each cloud function of examples/cloud-functions deployable
// with 上传并部署：所有文件 (upload and deploy: all files) before wx-orderkit is on npm. It builds
// when dist/ is stale, packs this package (npm pack → .cache/pack/wx-orderkit-<version>.tgz) and
// installs that tarball, with the function's other dependencies (wx-server-sdk), into the
// function's own node_modules. The functions' package.json keep `"wx-orderkit": "^0.1.0"`, so
// once the package is published 上传并部署：云端安装依赖 works with no step here.
//
// Options (the tests use them; a user needs none):
//   --out <dir>     prepare copies of the functions in <dir>/<name> instead of the folders in place
//   --sdk <spec>    install this instead of the wx-server-sdk from the registry (a test stub)
//   --offline       install from the npm cache only (fails fast when something is not cached)
//   --only <name>   one function (repeatable)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const FUNCTIONS_DIR = join(root, 'examples', 'cloud-functions', 'cloudfunctions');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The function folders: every directory under cloudfunctions/ with an index.js. */
export function functionNames() {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FUNCTIONS_DIR, d.name, 'index.js')))
    .map((d) => d.name)
    .sort();
}

/** npm pack of this repository into `dest` (emptied first); returns the tarball's absolute path. */
export function packTarball(dest = join(root, '.cache', 'pack')) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const out = execFileSync(npm, ['pack', '--silent', '--pack-destination', dest], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  const file = join(dest, out[out.length - 1].trim());
  if (!existsSync(file)) throw new Error(`npm pack did not produce ${file}`);
  return file;
}

/**
 * Installs `tarball` (and wx-server-sdk, or `sdk`) into the function folder `dir`. --no-save keeps
 * its package.json asking for the published `wx-orderkit`; --install-links copies a folder spec
 * instead of linking it, so the folder uploads as it is.
 */
export function installInto(dir, tarball, { sdk, offline = false } = {}) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const specs = [tarball];
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (name === 'wx-orderkit') continue;
    specs.push(name === 'wx-server-sdk' && sdk ? sdk : `${name}@${range}`);
  }
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  const args = ['install', '--no-save', '--no-package-lock', '--install-links', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'];
  if (offline) args.push('--offline');
  // stderr is captured (and printed on failure) so that a caller can tell npm's ENOTCACHED, an
  // offline install meeting a package the cache does not hold, from any other failure.
  try {
    execFileSync(npm, [...args, ...specs], { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const stderr = typeof error?.stderr === 'string' ? error.stderr : '';
    if (stderr) process.stderr.write(stderr);
    throw new Error(`npm install failed in ${dir}: ${stderr.trim() || (error instanceof Error ? error.message : String(error))}`);
  }
  const installed = join(dir, 'node_modules', 'wx-orderkit', 'package.json');
  if (!existsSync(installed)) throw new Error(`${installed} is missing after npm install`);
}

export function prepareFunctions({ out, sdk, offline = false, only = [], build = true, packDir } = {}) {
  if (build) {
    const status = buildIfStale();
    if (status !== 0) throw new Error(`npm run build failed (${status})`);
  }
  const tarball = packTarball(packDir);
  console.log(`packed ${tarball}`);
  const names = only.length > 0 ? only : functionNames();
  const prepared = [];
  for (const name of names) {
    const source = join(FUNCTIONS_DIR, name);
    if (!existsSync(join(source, 'index.js'))) throw new Error(`no cloud function ${name} in ${FUNCTIONS_DIR}`);
    let dir = source;
    if (out) {
      dir = join(resolve(out), name);
      rmSync(dir, { recursive: true, force: true });
      cpSync(source, dir, { recursive: true, filter: (p) => !p.split(/[\\/]/).includes('node_modules') });
    }
    installInto(dir, tarball, { sdk, offline });
    console.log(`prepared ${dir}`);
    prepared.push(dir);
  }
  return { tarball, dirs: prepared };
}

function parseArgs(argv) {
  const options = { only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') options.out = argv[++i];
    else if (a === '--sdk') options.sdk = argv[++i];
    else if (a === '--offline') options.offline = true;
    else if (a === '--only') options.only.push(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { dirs } = prepareFunctions(parseArgs(process.argv.slice(2)));
    console.log(`\n${dirs.length} cloud function(s) ready: in WeChat DevTools right-click each one → 上传并部署：所有文件 (upload and deploy: all files).`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
