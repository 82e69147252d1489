import { fuzzAll } from '../express/fuzz.suite.js';

// The longer run of test/express/fuzz.test.ts: a 409 must show up among the answers here.
await fuzzAll(10_000, 1_500);
