import { deliveryCheckerSuite } from './delivery-checker.suite.js';

// Depth 4 here; depth 6 runs in test/load/delivery-checker.load.test.ts (npm run test:load).
deliveryCheckerSuite(4, 500);
