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

/**
 * A schema built the first time it is used, not when its module loads: building orderkit's few
 * hundred schemas was most of what requiring the root entry cost, while a cloud function's first
 * call parses only a handful of them (docs/benchmarks.md, "Cold start"). `build` runs once, on the
 * first property read (`safeParse`, `_zod`, `shape`…), and the returned object stands for the
 * built schema everywhere: zod's own functions (`z.extend`, `z.array`, `z.toJSONSchema`…) accept it,
 * `instanceof` holds, and a schema that contains it is itself built lazily when it is built.
 *
 * Only for schemas written at a module's top level, whose `build` reads nothing that changes.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => (built ??= build());
  const lazy = new Proxy(Object.create(null) as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    // The target stays empty, so what the built schema has may only be reported as configurable.
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(schema(), key);
      return d === undefined ? undefined : { ...d, configurable: true };
    },
    defineProperty: (_, key, d) => Reflect.defineProperty(schema(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
  LAZY.add(lazy);
  return lazy;
}

const LAZY = new WeakSet<object>();

/** True for a schema made by `lazySchema`, whether built yet or not (asking does not build it). */
export function isLazySchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && LAZY.has(value);
}

// `output` (what `infer` names too): a bundled .d.ts that imported `infer` by name could not be parsed
// (`type X = infer<…>` reads as the `infer` keyword), so the sources write `z.output`.
export type { core, infer, input, output, ZodMiniType } from 'zod/mini';
