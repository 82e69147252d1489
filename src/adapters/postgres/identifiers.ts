import { OrderkitError } from '../../errors/orderkit-error.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * Schema names are spliced into SQL text (identifiers cannot be parameters), so only plain
 * lower-case names are accepted; the channel name `<schema>_changes` must fit in 63 bytes too.
 */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new OrderkitError({
      code: 'INVALID_SCHEMA_NAME',
      message: {
        'zh-CN': `schema 名称 "${schema}" 无效：只能使用小写字母、数字和下划线，以字母或下划线开头，最多 48 个字符`,
        en: `invalid schema name "${schema}": use lower-case letters, digits and _, starting with a letter or _, at most 48 characters`,
      },
      path: ['schema'],
    });
  }
  return schema;
}

export function quoteIdent(name: string): string {
  return `"${name.split('"').join('""')}"`;
}
