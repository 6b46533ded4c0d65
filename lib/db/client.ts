import { drizzle } from 'drizzle-orm/node-postgres';
import type { NodePgDatabase, NodePgTransaction } from 'drizzle-orm/node-postgres';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema>;
export type Transaction = NodePgTransaction<Schema, ExtractTablesWithRelations<Schema>>;
/** Either the pool-backed database or an open transaction: repositories accept both. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function connectDatabase(
  connectionString: string,
  options: { max?: number; onIdleError?: (error: Error) => void } = {},
): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle connection Postgres closes (a restart, a failover, a terminated backend) errors on the pool;
  // without a listener that error would end the process. The pool drops the connection and the next
  // query opens a new one, so it is reported, not fatal.
  pool.on('error', options.onIdleError ?? ((error) => console.warn(`[db] an idle database connection closed: ${error.message}`)));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
