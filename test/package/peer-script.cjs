// Run from a project that has wx-orderkit (and its dependencies) but maybe not fast-check:
// loads wx-orderkit/testing (CommonJS or ESM), runs the contract's model-based test against the
// memory store with a tiny test API, and prints what happened as JSON.
const mode = process.argv[2];
const assert = require('assert');
async function main() {
  const load = async (spec) => (mode === 'esm' ? import(spec) : require(spec));
  const out = { imported: false };
  const testing = await load('wx-orderkit/testing');
  const root = await load('wx-orderkit');
  out.imported = typeof testing.runOrderStoreContract === 'function';
  const tests = [];
  const api = {
    describe: (_name, body) => body(),
    it: (name, body) => tests.push({ name, body }),
    beforeEach: () => undefined,
    afterEach: () => undefined,
    expect: (actual) => ({
      toBe: (x) => assert.strictEqual(actual, x),
      // Like vitest's toEqual: key order and undefined properties do not count.
      toEqual: (x) => assert.deepStrictEqual(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(x))),
      toBeNull: () => assert.strictEqual(actual, null),
    }),
  };
  testing.runOrderStoreContract('memory', () => new root.MemoryOrderStore(), api, { numRuns: 2 });
  const model = tests.find((t) => /model/.test(t.name));
  out.tests = tests.length;
  try {
    await model.body();
    out.model = 'passed';
  } catch (error) {
    out.model = { name: error.name, code: error.code, message: error.message, zh: error.messages && error.messages['zh-CN'], details: error.details && { package: error.details.package, subpath: error.details.subpath } };
  }
  console.log(JSON.stringify(out));
}
main().catch((error) => {
  console.log(JSON.stringify({ crashed: String(error && error.stack) }));
  process.exitCode = 1;
});
