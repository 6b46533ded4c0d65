import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { writeResourceTree } from '../../../activities/cluster/backup/resource-tree.js';
import type { ExportedResource } from '../../../activities/cluster/export/export-resources.js';
import { openOrInitRepository } from '../../../activities/common/open-repository.js';
import type { ControlDeps } from '../../../activities/control/deps.js';
import { repositoryAccessActivities } from '../../../activities/control/repository-access.js';
import { runBackup } from '../../../lib/datamover/backup/backup.js';
import type { Repository } from '../../../lib/datamover/repository/repository.js';
import { recoveryPoints, storageTargets } from '../../../lib/db/schema/index.js';
import { RESOURCES_VOLUME } from '../../../proto/agent/export-resources.js';
import type { TestApi } from './test-api.js';

/** The storage target's repository as a backup opens it: with the secret the control plane keeps for it. */
export async function targetRepository(api: TestApi, orgId: string, storageTargetId: string): Promise<Repository> {
  const deps = { db: api.running.database.db, keyring: api.config.keyring } as unknown as ControlDeps;
  const access = await repositoryAccessActivities(deps).resolveRepositoryAccess({ orgId, storageTargetId, retention: { days: 1, safeLock: false } });
  return openOrInitRepository(access);
}

export const configMap = (namespace: string, name: string, data: Record<string, string>): ExportedResource => ({
  typeId: 'configmaps',
  apiVersion: 'v1',
  kind: 'ConfigMap',
  namespace,
  name,
  reason: 'selected',
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data },
});

/**
 * A recovery point as a COPY backup leaves it, without a cluster: the resources tree and one PV's files
 * backed up into the target's repository, and the row recording them.
 */
export async function storeRecoveryPoint(
  api: TestApi,
  scratch: string,
  point: { orgId: string; storageTargetId: string; resources: ExportedResource[]; volume: { namespace: string; claim: string; files: Record<string, string> } },
) {
  const repository = await targetRepository(api, point.orgId, point.storageTargetId);
  const tree = join(scratch, 'resources');
  await writeResourceTree(tree, point.resources, { clusterId: 'none' });
  const resources = await runBackup(repository, { source: tree, volume: RESOURCES_VOLUME, xattrs: false });
  const volumeDir = join(scratch, 'volume');
  for (const [path, content] of Object.entries(point.volume.files)) {
    await mkdir(join(volumeDir, path, '..'), { recursive: true });
    await writeFile(join(volumeDir, path), content);
  }
  const copy = await runBackup(repository, { source: volumeDir, volume: `none/${point.volume.namespace}/${point.volume.claim}`, xattrs: false });
  const namespaces = [...new Set(point.resources.flatMap((r) => (r.namespace ? [r.namespace] : [])))];
  // Copies record where their data is (copySnapshotId), which the stored contents' type leaves out.
  const contents = {
    namespaces,
    resourceCount: point.resources.length,
    resourcesSnapshotId: resources.snapshot.id,
    persistentVolumes: [
      { namespace: point.volume.namespace, claim: point.volume.claim, storageClass: 'standard', sizeBytes: 1 << 20, method: 'COPY_FROM_LIVE_CLAIM', volumeMode: 'Filesystem' as const, copySnapshotId: copy.snapshot.id },
    ],
  };
  const [row] = await api.running.database.db
    .insert(recoveryPoints)
    .values({
      orgId: point.orgId,
      type: 'COPY',
      clusterName: 'prod',
      definitionName: 'nightly',
      storageTargetId: point.storageTargetId,
      expiresAt: new Date(Date.now() + 86_400_000),
      contents,
    })
    .returning();
  return row!;
}

/** Points the target at a private address this installation does not let the control plane reach. */
export async function breakTarget(api: TestApi, storageTargetId: string): Promise<void> {
  const db = api.running.database.db;
  const [row] = await db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
  await db.update(storageTargets).set({ config: { ...(row!.config as Record<string, unknown>), endpoint: 'http://10.255.255.1:9' } }).where(eq(storageTargets.id, storageTargetId));
}
