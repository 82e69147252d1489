import { fuzzAll } from './fuzz.suite.js';

// The longer run (10,000 and 1,500 bodies) is test/load/express-fuzz.load.test.ts.
await fuzzAll(Number(process.env.FUZZ_RUNS ?? 3_000), Number(process.env.FUZZ_PG_RUNS ?? 1_200));
