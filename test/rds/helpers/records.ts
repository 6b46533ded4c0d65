import type { Database } from '../../../lib/db/client.js';
import { rdsDatabases, recoveryPoints } from '../../../lib/db/schema/index.js';

/** An inventory row, as a refresh would have written it. */
export async function insertRdsDatabase(db: Database, orgId: string, cloudAccountId: string, identifier: string): Promise<string> {
  const [row] = await db
    .insert(rdsDatabases)
    .values({ orgId, cloudAccountId, region: 'us-east-1', type: 'INSTANCE', identifier, arn: `arn:aws:rds:us-east-1:123456789012:db:${identifier}`, engine: 'postgres', status: 'available', lastSeenAt: new Date() })
    .returning({ id: rdsDatabases.id });
  return row!.id;
}

/** An awsrds recovery point, as an RDS backup run records it. */
export async function insertRdsPoint(db: Database, orgId: string, cloudAccountId: string, definition: { id: string; name: string }): Promise<string> {
  const [row] = await db
    .insert(recoveryPoints)
    .values({
      orgId,
      type: 'SNAPSHOT',
      sourceType: 'awsrds',
      clusterName: 'victim-db',
      definitionId: definition.id,
      definitionName: definition.name,
      storageTargetId: null,
      rds: { cloudAccountId, region: 'us-east-1', databaseType: 'INSTANCE', databaseIdentifier: 'victim-db', snapshotIdentifier: 'haven-victim-db-1', snapshotArn: 'arn:aws:rds:us-east-1:123456789012:snapshot:haven-victim-db-1', engine: 'postgres' },
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
      contents: { namespaces: [], resourceCount: 0, persistentVolumes: [] },
    })
    .returning({ id: recoveryPoints.id });
  return row!.id;
}
