import { afterSaleDepthCheckerSuite } from './after-sale-depth-checker.suite.js';

// Depth 3 here; depth 4 runs in test/load/after-sale-depth-checker.load.test.ts (npm run test:load).
afterSaleDepthCheckerSuite(3, 100);
