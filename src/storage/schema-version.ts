/**
 * The version of the stored order document this code writes (docs/storage.md "Stored order
 * versions"). A document without a `schemaVersion` field is version 1.
 */
export const ORDER_SCHEMA_VERSION = 1;
