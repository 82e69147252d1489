// What compiling costs, alone: V8 compiles (vm.Script, the wrapper Node's CommonJS loader uses)
// every dist file that the root entry, wechatpay and wx-cloud load, and runs none of them. Run by
// bench/cold-start.bench.ts: `node compile-only.cjs <dist dir>`.
'use strict';
const Module = require('module');
const vm = require('vm');
const fs = require('fs');
const path = require('path');

const dist = path.resolve(process.argv[2]);
const seen = new Set();
function visit(file) {
  if (seen.has(file)) return;
  seen.add(file);
  const text = fs.readFileSync(path.join(dist, file), 'utf8');
  for (const m of text.matchAll(/require\(["']\.\/([^"']+)["']\)/g)) visit(m[1]);
  new vm.Script(Module.wrap(text), { filename: path.join(dist, file) });
}
for (const entry of ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs']) visit(entry);
process.stdout.write(`${seen.size}\n`);
