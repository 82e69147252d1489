/**
 * A separate Node process of the storage benchmark (bench/storage.bench.ts): one service instance
 * with its own pool, as a cloud function or one process of a cluster runs it. Not a benchmark by
 * itself (the name does not end in .bench.ts, so `npm run bench` does not run it).
 *
 * Protocol: argv[2] is a JSON job. The worker connects, warms up, prints `ready`, waits for one
 * line on stdin (the start signal, so that every process starts together), runs the job and
 * prints one line `result <json>`.
 * - { kind: 'drive', url, schema, ids, seconds }: one-unit SHIP commands round-robin over `ids`
 *   for `seconds`; result { committed, failed, seconds }.
 * - { kind: 'sweep', url, schema, now, batchSize }: one `service.sweep(now)`; result the report's
 *   counts and the seconds it took.
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { PostgresOrderStore } from '../src/adapters/postgres/index.js';
import { createOrderService } from '../src/service/index.js';

type Job =
  | { kind: 'drive'; url: string; schema: string; ids: string[]; warmIds: string[]; seconds: number }
  | { kind: 'sweep'; url: string; schema: string; now: string; batchSize: number };

const SHIP_ONE = { type: 'SHIP' as const, logisticsType: 'express' as const, items: [{ lineId: 'a', quantity: 1 }] };
const MERCHANT = { type: 'merchant' as const, id: 'bench' };

function startSignal(): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', () => {
      rl.close();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as Job;
  const pool = new pg.Pool({ connectionString: job.url, max: 3 });
  pool.on('error', () => undefined);
  const store = new PostgresOrderStore({ db: pool, schema: job.schema });
  const service = createOrderService({ store });
  try {
    if (job.kind === 'drive') {
      for (const id of job.warmIds) await service.dispatch(id, SHIP_ONE, MERCHANT);
      console.log('ready');
      await startSignal();
      const until = Date.now() + job.seconds * 1000;
      const t0 = performance.now();
      let committed = 0;
      let failed = 0;
      for (let i = 0; Date.now() < until; i++) {
        const r = await service.dispatch(job.ids[i % job.ids.length]!, SHIP_ONE, MERCHANT);
        if (r.ok && r.changed) committed++;
        else failed++;
      }
      console.log(`result ${JSON.stringify({ committed, failed, seconds: (performance.now() - t0) / 1000 })}`);
    } else {
      await pool.query('SELECT 1');
      console.log('ready');
      await startSignal();
      const t0 = performance.now();
      const report = await service.sweep(new Date(job.now), { batchSize: job.batchSize });
      console.log(`result ${JSON.stringify({ expired: report.expired, skipped: report.skipped, corrupt: report.corrupt.length, seconds: (performance.now() - t0) / 1000 })}`);
    }
  } finally {
    await store.close();
    await pool.end();
  }
}

await main();
