import { hotOrderRace } from './hot-order.suite.js';

// The longer run (500 commands per worker) is test/load/hot-order.load.test.ts.
await hotOrderRace(120);
