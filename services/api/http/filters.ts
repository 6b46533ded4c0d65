import { Type } from '@sinclair/typebox';
import { ilike } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export const NameFilter = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Case-insensitive substring of the name.' })),
};

/** `column ILIKE %text%` with the LIKE wildcards in `text` matched literally. */
export function containsText(column: PgColumn, text: string | undefined): SQL | undefined {
  if (text === undefined) return undefined;
  return ilike(column, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}
