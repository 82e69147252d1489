import { deliveryCheckerSuite } from '../lifecycle/delivery-checker.suite.js';

// The deeper run of test/lifecycle/delivery-checker.test.ts.
deliveryCheckerSuite(6, 10_000);
