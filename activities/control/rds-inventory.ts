import { and, asc, eq, isNull, notInArray } from 'drizzle-orm';
import { withRds } from '../../lib/aws/rds-client.js';
import { listDatabases, type FoundDatabase } from '../../lib/aws/rds-inventory.js';
import { cloudAccounts, rdsDatabases } from '../../lib/db/schema/index.js';
import type { ControlDeps } from './deps.js';
import { accountAccess } from './rds-access.js';

export interface InventoryAccount {
  orgId: string;
  cloudAccountId: string;
}

/**
 * The inventory of RDS databases: what AWS lists now, per account and region. A database AWS no longer
 * lists is marked deleted (its row stays, so recovery points and jobs still name it); one that comes
 * back (a restore under the same identifier) is marked present again.
 */
export function rdsInventoryActivities(deps: ControlDeps) {
  return {
    /** Every cloud account of every organization: the installation's own upkeep, like the expiry pass. */
    async listRdsInventoryAccounts(): Promise<InventoryAccount[]> {
      const rows = await deps.db.select({ orgId: cloudAccounts.orgId, cloudAccountId: cloudAccounts.id }).from(cloudAccounts).orderBy(asc(cloudAccounts.id));
      return rows;
    },

    /** Refreshes one account; an account AWS refuses records why on the account and the pass goes on. */
    async refreshRdsInventory(account: InventoryAccount): Promise<{ found: number; markedDeleted: number; error?: string }> {
      const [row] = await deps.db.select().from(cloudAccounts).where(and(eq(cloudAccounts.orgId, account.orgId), eq(cloudAccounts.id, account.cloudAccountId)));
      if (!row) return { found: 0, markedDeleted: 0, error: 'the cloud account no longer exists' };
      const reach = await accountAccess(deps, account.orgId, account.cloudAccountId);
      const now = deps.clock();
      let found = 0;
      let markedDeleted = 0;
      try {
        for (const region of row.regions) {
          const databases = await withRds(reach, region, `listing RDS databases in ${region}`, listDatabases);
          found += databases.length;
          for (const database of databases) await upsert(account, region, database, now);
          markedDeleted += await markGone(account, region, databases, now);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await deps.db.update(cloudAccounts).set({ lastInventoryError: message }).where(and(eq(cloudAccounts.orgId, account.orgId), eq(cloudAccounts.id, account.cloudAccountId)));
        return { found, markedDeleted, error: message };
      }
      await deps.db
        .update(cloudAccounts)
        .set({ lastInventoryAt: now, lastInventoryError: null })
        .where(and(eq(cloudAccounts.orgId, account.orgId), eq(cloudAccounts.id, account.cloudAccountId)));
      return { found, markedDeleted };
    },
  };

  async function upsert(account: InventoryAccount, region: string, database: FoundDatabase, now: Date) {
    const values = {
      arn: database.arn,
      engine: database.engine,
      engineVersion: database.engineVersion,
      status: database.status,
      instanceClass: database.instanceClass,
      automaticSnapshots: database.automaticSnapshots,
      lastSeenAt: now,
      deletedAt: null,
    };
    await deps.db
      .insert(rdsDatabases)
      .values({ orgId: account.orgId, cloudAccountId: account.cloudAccountId, region, type: database.type, identifier: database.identifier, ...values })
      .onConflictDoUpdate({ target: [rdsDatabases.orgId, rdsDatabases.cloudAccountId, rdsDatabases.region, rdsDatabases.type, rdsDatabases.identifier], set: values });
  }

  async function markGone(account: InventoryAccount, region: string, databases: FoundDatabase[], now: Date): Promise<number> {
    let marked = 0;
    for (const type of ['INSTANCE', 'CLUSTER'] as const) {
      const present = databases.filter((d) => d.type === type).map((d) => d.identifier);
      const gone = await deps.db
        .update(rdsDatabases)
        .set({ deletedAt: now, status: 'deleted' })
        .where(
          and(
            eq(rdsDatabases.orgId, account.orgId),
            eq(rdsDatabases.cloudAccountId, account.cloudAccountId),
            eq(rdsDatabases.region, region),
            eq(rdsDatabases.type, type),
            isNull(rdsDatabases.deletedAt),
            present.length > 0 ? notInArray(rdsDatabases.identifier, present) : undefined,
          ),
        )
        .returning({ id: rdsDatabases.id });
      marked += gone.length;
    }
    return marked;
  }
}
