// Run from a project that has wx-orderkit but not ioredis: loads wx-orderkit/redis (CommonJS or
// ESM) and asks connectRedis for a client; prints what happened as JSON.
const mode = process.argv[2];
async function main() {
  const redis = mode === 'esm' ? await import('wx-orderkit/redis') : require('wx-orderkit/redis');
  const out = { imported: typeof redis.RedisInventory === 'function' };
  try {
    await redis.connectRedis('redis://127.0.0.1:6379/1');
    out.connect = 'connected';
  } catch (error) {
    out.connect = { code: error.code, message: error.message, zh: error.messages && error.messages['zh-CN'], package: error.details && error.details.package };
  }
  console.log(JSON.stringify(out));
}
main().catch((error) => {
  console.log(JSON.stringify({ crashed: String(error && error.stack) }));
  process.exitCode = 1;
});
