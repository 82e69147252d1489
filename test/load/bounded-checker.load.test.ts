import { builtInLifecycleSuite } from '../lifecycle/bounded-checker.suite.js';

// The deeper run of test/lifecycle/bounded-checker.test.ts.
builtInLifecycleSuite(6);
