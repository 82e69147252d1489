import type { PGliteLike, SqlDriver } from './sql-types.js';

/**
 * The driver for a PGlite instance: one embedded connection, so PGlite's own `transaction`
 * serialises transactions, and its `listen` hears NOTIFY from commits on the same instance.
 */
export function pgliteDriver(db: PGliteLike): SqlDriver {
  return {
    query: (text, params) => db.query(text, params as unknown[] | undefined),
    transaction: (body) =>
      db.transaction((tx) =>
        body({
          query: (text, params) => tx.query(text, params as unknown[] | undefined),
          exec: async (script) => {
            await tx.exec(script);
          },
        }),
      ),
    async listen(channel, onPayload) {
      const stop = await db.listen(channel, onPayload);
      return async () => {
        await stop();
      };
    },
  };
}
