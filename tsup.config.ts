import { defineConfig } from 'tsup';

// One entry per public subpath (docs/architecture.md). `node16` keeps the CommonJS build loadable in
// every WeChat cloud-function runtime (Node 16–22).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    postgres: 'src/adapters/postgres/index.ts',
    'wx-cloud': 'src/adapters/wx-cloud/index.ts',
    wechatpay: 'src/wechat/index.ts',
    analytics: 'src/analytics/index.ts',
    testing: 'src/testing/index.ts',
    xstate: 'src/xstate/index.ts',
    inventory: 'src/inventory/index.ts',
    tracking: 'src/tracking/index.ts',
    redis: 'src/adapters/redis/index.ts',
    flows: 'src/flows/index.ts',
    advanced: 'src/advanced.ts',
  },
  format: ['esm', 'cjs'],
  target: 'node16',
  dts: true,
  clean: true,
  sourcemap: true,
  // Minified: a cloud function compiles every byte it requires on each cold start, and compiling
  // is most of what loading costs (docs/benchmarks.md, "Cold start"). The source maps name the
  // original code (node --enable-source-maps).
  minify: true,
  splitting: true,
  treeshake: true,
  external: ['pg', '@electric-sql/pglite', 'fast-check', 'vitest', 'xstate', 'ioredis'],
  // zod is bundled: the schemas are written with zod/mini (src/zod.ts), and only what they use is
  // kept. Requiring the zod package itself would load its whole API and locales on every cold start
  // (docs/benchmarks.md, "Cold start").
  // @noble/hashes (sha256 of idempotency requests) likewise: bundled, only sha256 is kept, where
  // requiring the package loads all of its SHA-2 family (about 17 ms of CPU on a loaded machine).
  noExternal: ['zod', /^@noble\/hashes/],
});
