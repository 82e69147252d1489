import { fuzzAll } from './fuzz.suite.js';

// The longer run (10,000 and 1,500 bodies) is test/load/express-fuzz.load.test.ts, which CI runs too;
// this one keeps `npm test` within its time budget.
await fuzzAll(Number(process.env.FUZZ_RUNS ?? 1_000), Number(process.env.FUZZ_PG_RUNS ?? 400));
