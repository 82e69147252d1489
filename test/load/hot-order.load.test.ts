import { hotOrderRace } from '../race/hot-order.suite.js';

// The longer run of test/race/hot-order.race.test.ts.
await hotOrderRace(500);
