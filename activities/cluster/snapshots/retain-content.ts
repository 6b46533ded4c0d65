import { RETAINED_FROM_ANNOTATION, type DeleteVolumeSnapshotRequest } from '../../../proto/agent/index.js';
import type { SnapshotApi } from './snapshot-api.js';

export class SnapshotContentMissingError extends Error {
  override readonly name = 'SnapshotContentMissingError';
  readonly code = 'SNAPSHOT_CONTENT_MISSING';
}

/**
 * Makes a kept snapshot's data outlive its namespace: with the usual class policy Delete, deleting the
 * namespace deletes the VolumeSnapshot, then its content, then the driver's snapshot. Switching the bound
 * content to Retain cuts that chain. The policy it had is kept on the content (and answered) so that
 * expiry and cleanup can delete the data later. Idempotent: a retried call answers the first policy.
 */
export async function retainContent(api: SnapshotApi, contentName: string): Promise<string> {
  const content = await api.getContent(contentName);
  if (!content) throw new SnapshotContentMissingError(`VolumeSnapshotContent ${contentName} no longer exists, so its snapshot cannot be kept`);
  const recorded = content.metadata.annotations?.[RETAINED_FROM_ANNOTATION];
  if (recorded) return recorded;
  const original = content.spec?.deletionPolicy ?? 'Delete';
  if (original === 'Retain') return original;
  await api.patchContent(contentName, { metadata: { annotations: { [RETAINED_FROM_ANNOTATION]: original } }, spec: { deletionPolicy: 'Retain' } });
  return original;
}

/**
 * Deletes a snapshot this run created and, if Haven retained its content, the data too: the content gets
 * its original policy back before the snapshot goes, so the driver deletes the snapshot it holds. The
 * content is then deleted as well, for the case where its snapshot was already gone (namespace deleted).
 */
export async function deleteSnapshotData(api: SnapshotApi, request: Pick<DeleteVolumeSnapshotRequest, 'namespace' | 'snapshotName' | 'contentName'>): Promise<void> {
  const snapshot = await api.get(request.namespace, request.snapshotName);
  const contentName = snapshot?.status?.boundVolumeSnapshotContentName ?? request.contentName;
  const content = contentName ? await api.getContent(contentName) : null;
  const original = content?.metadata.annotations?.[RETAINED_FROM_ANNOTATION];
  if (content && original && original !== 'Retain' && content.spec?.deletionPolicy === 'Retain') {
    await api.patchContent(content.metadata.name, { spec: { deletionPolicy: original } });
  }
  await api.delete(request.namespace, request.snapshotName);
  if (content && original && original !== 'Retain') await api.deleteContent(content.metadata.name);
}
