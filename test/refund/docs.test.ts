import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AFTER_SALE_TRANSITIONS } from '../../src/refund/index.js';
import { DOC, renderAfterSaleChart, renderAfterSalesDoc } from '../../scripts/diagrams/after-sales.js';

describe('docs/after-sales.md', () => {
  it('its generated sections match the code (run `npm run docs:diagrams` after changing the chart or the rules)', () => {
    const doc = readFileSync(new URL(`../../${DOC}`, import.meta.url), 'utf8');
    expect(renderAfterSalesDoc(doc)).toBe(doc);
  });

  it('the diagram has one edge per row of the chart', () => {
    const edges = renderAfterSaleChart().split('\n').filter((l) => l.includes(' --> ') && !l.endsWith('--> [*]'));
    expect(edges).toHaveLength(AFTER_SALE_TRANSITIONS.length);
  });
});
