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
  // Postgres closing a connection (a restart, a failover, a terminated backend) emits 'error' on it, and an
  // unheard 'error' ends the process. The pool listens only while a connection is idle; one checked out
  // between two queries (a transaction's, a client a caller holds) has no listener but its own. So each
  // connection gets one when it opens, and reports it once; the pool's own event (the same error, seen
  // while idle) needs a listener too but nothing more. The pool discards a broken connection and the next
  // query opens a new one; a query that was running on it fails with the connection error instead.
  const report = options.onIdleError ?? ((error: Error) => console.warn(`[db] a database connection closed: ${error.message}`));
  pool.on('connect', (client) => client.on('error', report));
  pool.on('error', () => {});
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
