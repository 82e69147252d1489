#!/usr/bin/env node
// `npm start`: the Express example with a living demo shop (examples/express, docs/express.md).
// It runs the example straight from the TypeScript sources with tsx, so there is nothing to build
// first and a fresh clone goes from `npm install` to a dashboard in about a minute. Extra
// arguments go to the server; PORT, DATABASE_URL and ORDERKIT_DATA_DIR are read from the environment.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 18 || (major === 18 && minor < 19) || (major === 20 && minor < 6)) {
  console.error(`npm start needs Node 18.19+ or 20.6+ (for --import); this is Node ${process.versions.node}.`);
  process.exit(1);
}
if (!existsSync(new URL('../node_modules/tsx/package.json', import.meta.url))) {
  console.error('Dependencies are missing: run `npm install` first, then `npm start`.');
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', 'examples/express/src/server.ts', '--demo', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the server directly (same process group); it closes the database and exits.
// This wrapper only waits for it, so the data directory is never left half-written.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
