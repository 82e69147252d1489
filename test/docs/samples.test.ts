import { docSamples } from './samples.suite.js';

// Every sample in docs/ and the READMEs type-checks (JavaScript ones define every name they use).
// Running each one with Node is test/load/doc-samples.load.test.ts (npm run test:load; CI runs it).
docSamples({ run: false });
