import { flowsCheckerSuite } from './flows-checker.suite.js';

// Depth 4 here; depth 6 runs in test/load/flows-checker.load.test.ts (npm run test:load).
flowsCheckerSuite(4);
