/**
 * The one door to zod: every schema in orderkit is built with `zod/mini` (functions instead of
 * methods), and the build bundles and tree-shakes it into dist/. The classic `zod` entry loads its
 * whole API and every locale when it is required, about 75 ms of a cloud function's cold start on
 * Node 20 and more on Node 16 (docs/benchmarks.md, "Cold start"); the part of `zod/mini` orderkit
 * uses costs a few milliseconds.
 *
 * Import it as a namespace (`import * as z from '../zod.js'`). The names are listed one by one, not
 * re-exported as a whole namespace object: a namespace object would keep all of zod in the bundle.
 *
 * English messages are configured here, as the classic entry does at import, so the texts of the
 * issues that orderkit does not word itself (src/errors/zod-issues.ts) stay what they were.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export {
  _default,
  array,
  boolean,
  coerce,
  discriminatedUnion,
  enum,
  extend,
  int,
  iso,
  literal,
  looseObject,
  maxLength,
  maximum,
  minLength,
  minimum,
  nullable,
  object,
  optional,
  record,
  refine,
  regex,
  strictObject,
  string,
  superRefine,
  toJSONSchema,
  union,
  unknown,
} from 'zod/mini';
// `output` (what `infer` names too): a bundled .d.ts that imported `infer` by name could not be parsed
// (`type X = infer<…>` reads as the `infer` keyword), so the sources write `z.output`.
export type { core, infer, input, output } from 'zod/mini';
