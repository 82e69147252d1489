import { flowsCheckerSuite } from '../flows/flows-checker.suite.js';

// The deeper run of test/flows/flows-checker.test.ts.
flowsCheckerSuite(6);
