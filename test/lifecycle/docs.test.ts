import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC, renderLifecycleDoc, renderMermaid } from '../../scripts/diagrams/lifecycle.js';
import { defaultLifecycle } from '../../src/lifecycle/index.js';

describe('docs/lifecycle.md', () => {
  it('has its generated sections up to date (run npm run docs:diagrams)', () => {
    const doc = readFileSync(DOC, 'utf8');
    expect(renderLifecycleDoc(doc)).toBe(doc);
  });

  it('draws every status-changing transition of orderMachine', () => {
    const diagram = renderMermaid();
    for (const status of defaultLifecycle.chart.statuses) {
      for (const [type, candidates] of Object.entries(defaultLifecycle.chart.table[status]!)) {
        for (const c of candidates) if (c.target !== undefined) expect(diagram).toContain(`${status} --> ${c.target} : ${type}`);
      }
    }
  });
});
