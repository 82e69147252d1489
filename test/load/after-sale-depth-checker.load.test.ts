import { afterSaleDepthCheckerSuite } from '../lifecycle/after-sale-depth-checker.suite.js';

// The deeper run of test/lifecycle/after-sale-depth-checker.test.ts.
afterSaleDepthCheckerSuite(4, 500);
