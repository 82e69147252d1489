/**
 * Names one placement in flight through a port that cannot share the store's transaction (the
 * `placeWith` of an inventory or a balance), among the other placements of the same order id, so
 * that a placement leaving twice (a retry after a lost answer) counts once. Only placements of one
 * order id at one moment must differ, so `Math.random` is enough and keeps node:crypto off the
 * root entry's load.
 */
export function placementToken(): string {
  return `p${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
}
