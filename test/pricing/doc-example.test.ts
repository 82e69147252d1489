import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceCart, type Cart, type PricingRules } from '../../src/pricing/index.js';
import { summarize } from './doc-summary.js';

/**
 * docs/pricing.md walks through one cart fen by fen. Its input and output are JSON blocks between
 * markers; this runs the input through priceCart and checks the output block is what comes out,
 * so the document can never drift from the code.
 */
const doc = readFileSync(new URL('../../docs/pricing.md', import.meta.url), 'utf8');

function block(name: string): unknown {
  const m = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(doc);
  if (!m) throw new Error(`docs/pricing.md has no ${name} block`);
  return JSON.parse(m[1]!);
}

describe('docs/pricing.md worked example', () => {
  it('shows exactly what priceCart returns', () => {
    const input = block('pricing-example-input') as { now: string; rules: PricingRules; cart: Cart };
    const r = priceCart(input.cart, input.rules, { now: new Date(input.now) });
    if (!r.ok) throw r.error;
    expect(block('pricing-example-output')).toEqual(summarize(r.quote));
  });
});
