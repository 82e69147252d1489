// An EXPERIMENT of the cold-start bench, not something wx-orderkit ships: what V8's code cache
// would save a cloud function. Preloaded (`node -r`) into first-call.cjs, it compiles the files of
// the dist directory itself (vm.Script with the same wrapper Node's CommonJS loader uses), so the
// only difference from a plain run is the cache:
//
//   COLD_START_CODE_CACHE=<dir> COLD_START_CODE_CACHE_MODE=record  compiles without a cache and, at
//     exit, writes each file's cache (V8's createCachedData() after the run, so it also holds the
//     functions the first call compiled) into <dir>;
//   COLD_START_CODE_CACHE_MODE=use  compiles with those caches and writes to stderr how many files
//     used one and how many V8 rejected (`cold-start-code-cache used=N rejected=M`); the bench
//     refuses a run where any was rejected, so a stale cache never counts as a fast one.
//
// A cache is only valid for the V8 build (and flags) that made it: the bench records one per
// runtime, in the same run. See docs/benchmarks.md, "Cold start".
'use strict';
const Module = require('module');
const vm = require('vm');
const fs = require('fs');
const path = require('path');

const dir = process.env.COLD_START_CODE_CACHE;
const mode = process.env.COLD_START_CODE_CACHE_MODE;
const dist = process.env.COLD_START_DIST && path.resolve(process.env.COLD_START_DIST);
if (!dir || !dist || (mode !== 'record' && mode !== 'use')) throw new Error('code-cache.cjs: set COLD_START_CODE_CACHE, COLD_START_CODE_CACHE_MODE and COLD_START_DIST');

const compiled = [];
let used = 0;
let rejected = 0;
const original = Module.prototype._compile;
Module.prototype._compile = function compile(content, filename) {
  if (path.dirname(filename) !== dist) return original.call(this, content, filename);
  const cacheFile = path.join(dir, `${path.basename(filename)}.v8`);
  const options = { filename };
  if (mode === 'use') options.cachedData = fs.readFileSync(cacheFile);
  const script = new vm.Script(Module.wrap(content), options);
  if (mode === 'use') {
    if (script.cachedDataRejected) rejected++;
    else used++;
  }
  compiled.push([script, cacheFile]);
  const mod = this;
  const req = (id) => mod.require(id);
  req.resolve = (request) => Module._resolveFilename(request, mod);
  req.cache = Module._cache;
  return script.runInThisContext().call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
};

process.on('exit', () => {
  if (mode === 'record') {
    fs.mkdirSync(dir, { recursive: true });
    for (const [script, cacheFile] of compiled) fs.writeFileSync(cacheFile, script.createCachedData());
  } else {
    process.stderr.write(`\ncold-start-code-cache used=${used} rejected=${rejected}\n`);
  }
});
