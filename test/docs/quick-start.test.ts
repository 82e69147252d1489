import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README's quick start must stay true: the snippet in both READMEs is the example file, and
// the example runs against the built package (imported as `wx-orderkit`, as a user would).
const example = readFileSync('examples/quick-start.mjs', 'utf8').trimEnd();

describe('README quick start', () => {
  it.each(['README.md', 'README.zh-CN.md'])('%s shows examples/quick-start.mjs verbatim and both commands', (file) => {
    const readme = readFileSync(file, 'utf8');
    expect(readme).toContain(example);
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('runs and prints what its comments promise', () => {
    const out = execFileSync(process.execPath, ['examples/quick-start.mjs'], { encoding: 'utf8' }).trim().split('\n');
    expect(out).toEqual([
      'pending_payment ¥126.00',
      'AMOUNT_MISMATCH pending_payment',
      'paid',
      'completed',
      expect.stringMatching(/^FORBIDDEN: /),
    ]);
  });
});
