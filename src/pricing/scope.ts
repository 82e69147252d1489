import type { Scope } from './rule-schemas.js';

/** A scope turned into sets once, at compile time, so that matching a line is a lookup. */
export interface CompiledScope {
  readonly kind: Scope['kind'];
  readonly skus: ReadonlySet<string> | null;
  readonly categories: ReadonlySet<string> | null;
  readonly exclude: ReadonlySet<string> | null;
}

export const ALL_GOODS: CompiledScope = Object.freeze({ kind: 'all', skus: null, categories: null, exclude: null });

export function compileScope(scope: Scope | undefined): CompiledScope {
  if (scope === undefined) return ALL_GOODS;
  switch (scope.kind) {
    case 'all':
      return { kind: 'all', skus: null, categories: null, exclude: scope.excludeSkus ? new Set(scope.excludeSkus) : null };
    case 'category':
      return {
        kind: 'category',
        skus: null,
        categories: new Set(scope.categories),
        exclude: scope.excludeSkus ? new Set(scope.excludeSkus) : null,
      };
    case 'skus':
      return { kind: 'skus', skus: new Set(scope.skus), categories: null, exclude: null };
  }
}

/** Whether a line with this sku and category falls inside the scope. */
export function inScope(scope: CompiledScope, sku: string, category: string | undefined): boolean {
  if (scope.exclude !== null && scope.exclude.has(sku)) return false;
  if (scope.kind === 'all') return true;
  if (scope.kind === 'skus') return scope.skus!.has(sku);
  return category !== undefined && scope.categories!.has(category);
}
