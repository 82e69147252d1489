import { PGlite } from '@electric-sql/pglite';

/** One started per worker process; each test file gets its own clone of it. */
let template: Promise<PGlite> | undefined;

/**
 * A fresh, empty PGlite for one test file. Starting PGlite costs 3–5 s of CPU on this project's
 * 2-core machine and cloning a started one about a third of that, so each vitest worker starts one
 * (the main project shares modules across files, vitest.config.ts) and hands out clones: nothing
 * written in one clone is seen by another, or by the template.
 */
export async function freshPGlite(): Promise<PGlite> {
  template ??= PGlite.create();
  const clone = await (await template).clone();
  if (!(clone instanceof PGlite)) throw new Error('PGlite.clone() did not answer a PGlite');
  return clone;
}
