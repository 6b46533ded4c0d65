import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { organizations } from './schema/index.js';
import type { SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client.js';
import { Problem } from '../common/problem.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Clock } from '../common/clock.js';

/** Any table whose rows belong to one organization. */
export type TenantTable = PgTable & { id: PgColumn; orgId: PgColumn };
/** A tenant table with the editable-record columns (version, created/updated). */
export type VersionedTable = TenantTable & { version: PgColumn; createdAt: PgColumn; updatedAt: PgColumn };

export interface ListOptions {
  limit: number;
  /** The timestamp that orders the list (newest first); `field` is its property on the row. */
  sort: { column: PgColumn; field: string };
  cursor?: string | undefined;
  filters?: (SQL | undefined)[];
}

export interface PageOf<Row> {
  rows: Row[];
  nextCursor: string | null;
}

/**
 * The only way route code reaches tenant data. Every read, write and delete it issues is filtered
 * by the organization of the authenticated API key, so tenancy is enforced here and nowhere else;
 * another organization's record is simply "not found". (The composite foreign keys in the schema are
 * the second line: a record can never point into another organization.)
 */
export class TenantScope {
  constructor(
    readonly executor: Executor,
    readonly orgId: string,
    readonly clock: Clock,
  ) {}

  /** Runs `work` in one transaction: it commits whole or not at all. */
  transaction<T>(work: (scope: TenantScope) => Promise<T>): Promise<T> {
    return this.executor.transaction((tx) => work(new TenantScope(tx, this.orgId, this.clock)));
  }

  /** The tenancy predicate, combined with any extra conditions. */
  owns(table: { orgId: PgColumn }, ...conditions: (SQL | undefined)[]): SQL {
    return and(eq(table.orgId, this.orgId), ...conditions) as SQL;
  }

  async find<T extends TenantTable>(table: T, id: string): Promise<T['$inferSelect'] | undefined> {
    const rows = await this.executor
      .select()
      .from(table as PgTable)
      .where(this.owns(table, eq(table.id, id)))
      .limit(1);
    return rows[0] as T['$inferSelect'] | undefined;
  }

  /** Like find, but a missing record (or one of another organization) is a 404. */
  async get<T extends TenantTable>(table: T, id: string, what: string): Promise<T['$inferSelect']> {
    const row = await this.find(table, id);
    if (!row) throw new Problem('not-found', `${what} ${id} does not exist`);
    return row;
  }

  /** Locks the row for the rest of the transaction, so a concurrent change waits instead of racing. */
  async getForUpdate<T extends TenantTable>(table: T, id: string, what: string): Promise<T['$inferSelect']> {
    const rows = await this.executor
      .select()
      .from(table as PgTable)
      .where(this.owns(table, eq(table.id, id)))
      .for('update');
    if (!rows[0]) throw new Problem('not-found', `${what} ${id} does not exist`);
    return rows[0] as T['$inferSelect'];
  }

  /** Newest first, keyset-paginated on (sortColumn, id). */
  async list<T extends TenantTable>(table: T, options: ListOptions): Promise<PageOf<T['$inferSelect']>> {
    const sortColumn = options.sort.column;
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const rows = (await this.executor
      .select()
      .from(table as PgTable)
      .where(
        this.owns(
          table,
          ...(options.filters ?? []),
          after ? or(lt(sortColumn, after.at), and(eq(sortColumn, after.at), lt(table.id, after.id))) : undefined,
        ),
      )
      .orderBy(desc(sortColumn), desc(table.id))
      .limit(options.limit + 1)) as Record<string, unknown>[];
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > options.limit && last
        ? encodeCursor({ at: last[options.sort.field] as Date, id: last.id as string })
        : null;
    return { rows: page as T['$inferSelect'][], nextCursor };
  }

  /** Inserts a record owned by this organization; editable records get their timestamps from the clock. */
  async insert<T extends TenantTable>(table: T, values: Omit<T['$inferInsert'], 'orgId'>): Promise<T['$inferSelect']> {
    const now = this.clock.now();
    const timestamps = 'updatedAt' in table ? { createdAt: now, updatedAt: now } : {};
    const rows = await this.executor
      .insert(table as TenantTable)
      .values({ ...values, ...timestamps, orgId: this.orgId } as TenantTable['$inferInsert'])
      .returning();
    return rows[0] as T['$inferSelect'];
  }

  /**
   * Writes `values` only if the record is still at `expectedVersion`, bumping the version. A stale
   * version is a 412; a record that does not exist (here) a 404.
   */
  async update<T extends VersionedTable>(
    table: T,
    id: string,
    expectedVersion: number | undefined,
    values: Partial<Omit<T['$inferInsert'], 'orgId' | 'id'>>,
    what: string,
  ): Promise<T['$inferSelect']> {
    const rows = await this.executor
      .update(table as VersionedTable)
      .set({ ...values, version: sql`${table.version} + 1`, updatedAt: this.clock.now() } as Partial<VersionedTable['$inferInsert']>)
      .where(this.owns(table, eq(table.id, id), expectedVersion === undefined ? undefined : eq(table.version, expectedVersion)))
      .returning();
    if (rows[0]) return rows[0] as T['$inferSelect'];
    await this.get(table, id, what);
    throw new Problem('version-mismatch', `${what} ${id} changed since version ${expectedVersion}; read it again and reapply your change`);
  }

  /** Deletes the record, checking If-Match when the client sent one. */
  async delete<T extends TenantTable & { version?: PgColumn }>(
    table: T,
    id: string,
    expectedVersion: number | undefined,
    what: string,
  ): Promise<void> {
    const versionCheck = expectedVersion !== undefined && table.version ? eq(table.version, expectedVersion) : undefined;
    const rows = await this.executor
      .delete(table as TenantTable)
      .where(this.owns(table, eq(table.id, id), versionCheck))
      .returning({ id: table.id });
    if (rows[0]) return;
    await this.get(table, id, what);
    throw new Problem('version-mismatch', `${what} ${id} changed since version ${expectedVersion}; read it again`);
  }

  async organization(): Promise<typeof organizations.$inferSelect> {
    const [row] = await this.executor.select().from(organizations).where(eq(organizations.id, this.orgId));
    if (!row) throw new Problem('not-found', 'the organization no longer exists');
    return row;
  }

  async updateOrganization(
    expectedVersion: number,
    values: Partial<Pick<typeof organizations.$inferInsert, 'name' | 'defaultStorageTargetId'>>,
  ): Promise<typeof organizations.$inferSelect> {
    const [row] = await this.executor
      .update(organizations)
      .set({ ...values, version: sql`${organizations.version} + 1`, updatedAt: this.clock.now() })
      .where(and(eq(organizations.id, this.orgId), eq(organizations.version, expectedVersion)))
      .returning();
    if (!row) throw new Problem('version-mismatch', `the organization changed since version ${expectedVersion}; read it again`);
    return row;
  }
}
