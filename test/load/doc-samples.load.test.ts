import { docSamples } from '../docs/samples.suite.js';

// Every sample in docs/ and the READMEs type-checks and runs as written (test/docs/samples.suite.ts).
docSamples({ run: true });
