import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const smokeNotes = pgTable('smoke_notes', {
  id: serial('id').primaryKey(),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

describe('postgres from the local stack', () => {
  const database = uniqueName('smoke').replaceAll('-', '_');
  const adminUrl = stackEnv('DATABASE_URL');
  let pool: pg.Pool;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    pool = new pg.Pool({ connectionString: url.toString() });
  });

  afterAll(async () => {
    await pool?.end();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.end();
  });

  it('applies a drizzle migration and reads a row back', async () => {
    const db = drizzle({ client: pool });
    await migrate(db, { migrationsFolder: fileURLToPath(new URL('./fixtures/migrations', import.meta.url)) });
    const [inserted] = await db.insert(smokeNotes).values({ body: 'written by the smoke test' }).returning();
    expect(inserted?.id).toBeTypeOf('number');
    const rows = await db.select().from(smokeNotes).where(eq(smokeNotes.id, inserted!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.body).toBe('written by the smoke test');
    const version = await pool.query<{ server_version_num: string }>('show server_version_num');
    expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
    const applied = await pool.query('select hash from drizzle.__drizzle_migrations');
    expect(applied.rowCount).toBe(1);
  });
});
