import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../lib/db/client.js';
import { createTestDatabase } from '../api/helpers/test-database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let handle: DatabaseHandle;
const idleErrors: Error[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  handle = connectDatabase(database.url, { onIdleError: (error) => idleErrors.push(error) });
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('the database pool', () => {
  it('survives Postgres closing its idle connections (a restart, a failover) and serves the next query', async () => {
    const [{ pid }] = (await handle.db.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows as [{ pid: number }];
    expect(handle.pool.idleCount).toBeGreaterThan(0);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    // The terminated connection reports through the pool's listener instead of ending the process.
    for (const deadline = Date.now() + 10_000; idleErrors.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(idleErrors.map((e) => (e as Error & { code?: string }).code)).toEqual(['57P01']);

    const [{ ok }] = (await handle.db.execute<{ ok: number }>(sql`select 1 as ok`)).rows as [{ ok: number }];
    expect(ok).toBe(1);
  });

  it('survives Postgres closing a connection a caller holds between two queries, and serves the next query', async () => {
    idleErrors.length = 0;
    const held = await handle.pool.connect();
    try {
      const { rows } = await held.query<{ pid: number }>('select pg_backend_pid() as pid');
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await admin.end();
      }
      // Without a listener on the held connection itself, this error would be an uncaught 'error' event.
      // The server's termination notice comes first; the socket's end may follow as a second error.
      for (const deadline = Date.now() + 10_000; idleErrors.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      expect((idleErrors[0] as Error & { code?: string } | undefined)?.code).toBe('57P01');
      await expect(held.query('select 1')).rejects.toThrow();
    } finally {
      held.release(true);
    }

    const [{ ok }] = (await handle.db.execute<{ ok: number }>(sql`select 1 as ok`)).rows as [{ ok: number }];
    expect(ok).toBe(1);
  });
});
