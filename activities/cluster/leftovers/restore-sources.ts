import { CustomObjectsApi, type CoreV1Api, type KubeConfig, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { isProtectedNamespace } from '../../../lib/domain/protected-namespaces.js';
import { RESTORE_SNAPSHOT_LABELS } from '../../../proto/agent/restore-volumes.js';
import { anyJobSelector, ignoreMissing, jobSelector, outsideProtected, ref } from '../mover-pods/job-cleanup.js';
import { isNotFound, SNAPSHOT_GROUP } from '../snapshots/snapshot-api.js';

/** A restore's snapshot source (activities/cluster/restore/snapshot-sources.ts): a VolumeSnapshot beside its claim. */
export interface RestoreSource {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
}

interface RestoreContent {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { deletionPolicy?: string; volumeSnapshotRef?: { namespace?: string; name?: string } };
}

const SNAPSHOT_API_GROUP = SNAPSHOT_GROUP.group;
const key = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;
const restoreLabelled = (jobId?: string) => (jobId ? jobSelector(RESTORE_SNAPSHOT_LABELS.job, jobId) : anyJobSelector(RESTORE_SNAPSHOT_LABELS.job));

async function listOrNone<T>(list: () => Promise<unknown>): Promise<T[]> {
  try {
    return ((await list()) as { items: T[] }).items;
  } catch (error) {
    // A cluster without the snapshot CRDs has no restore sources.
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** Restores' snapshot sources outside the protected namespaces: every restore's, or one job's. */
export async function listRestoreSources(kubeConfig: KubeConfig, jobId?: string): Promise<RestoreSource[]> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  return outsideProtected(await listOrNone<RestoreSource>(() => custom.listClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', labelSelector: restoreLabelled(jobId) })));
}

/** The snapshots claims not yet provisioned wait for: their data source must stay until the volume exists. */
function awaitedSnapshots(claims: V1PersistentVolumeClaim[]): Set<string> {
  const awaited = new Set<string>();
  for (const claim of claims) {
    if (claim.status?.phase === 'Bound') continue;
    for (const source of [claim.spec?.dataSource, claim.spec?.dataSourceRef]) {
      if (source?.kind === 'VolumeSnapshot' && source.apiGroup === SNAPSHOT_API_GROUP) awaited.add(key(claim.metadata?.namespace, source.name));
    }
  }
  return awaited;
}

/**
 * The sources nothing waits for any more. A restore releases each source once its claim is provisioned,
 * and keeps those of claims waiting for their first consumer (WaitForFirstConsumer) past its end on
 * purpose; a source whose claim is bound or gone is of no further use, whoever ended the run.
 */
export async function releasableSources(core: CoreV1Api, sources: RestoreSource[]): Promise<RestoreSource[]> {
  const awaited = new Set<string>();
  for (const namespace of new Set(sources.map((s) => s.metadata?.namespace ?? ''))) {
    for (const name of awaitedSnapshots((await core.listNamespacedPersistentVolumeClaim({ namespace })).items)) awaited.add(name);
  }
  return sources.filter((source) => !awaited.has(key(source.metadata?.namespace, source.metadata?.name)));
}

/**
 * Deletes an ended restore's snapshot sources nothing waits for: each VolumeSnapshot, then the
 * pre-provisioned contents of the job that no awaited source is bound to. A content goes only while its
 * deletionPolicy is Retain, as the restore made it: the driver's snapshot behind it is the recovery
 * point's, and deleting a content under Delete would take it along. The snapshot controller finishes
 * the deletions (they hold no volume, so nothing delays them).
 */
export async function releaseRestoreSources(kubeConfig: KubeConfig, core: CoreV1Api, jobId: string): Promise<string[]> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const sources = await listRestoreSources(kubeConfig, jobId);
  const releasable = await releasableSources(core, sources);
  const deleted: string[] = [];
  for (const source of releasable) {
    await ignoreMissing(() => custom.deleteNamespacedCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', namespace: source.metadata?.namespace ?? '', name: source.metadata?.name ?? '' }));
    deleted.push(ref('volumesnapshot', source));
  }
  const stays = new Set(sources.filter((s) => !releasable.includes(s)).map((s) => key(s.metadata?.namespace, s.metadata?.name)));
  const contents = await listOrNone<RestoreContent>(() => custom.listClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshotcontents', labelSelector: restoreLabelled(jobId) }));
  for (const content of contents) {
    const bound = content.spec?.volumeSnapshotRef;
    if (content.spec?.deletionPolicy !== 'Retain' || isProtectedNamespace(bound?.namespace ?? '') || stays.has(key(bound?.namespace, bound?.name))) continue;
    await ignoreMissing(() => custom.deleteClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshotcontents', name: content.metadata?.name ?? '' }));
    deleted.push(`volumesnapshotcontent /${content.metadata?.name ?? ''}`);
  }
  return deleted;
}
