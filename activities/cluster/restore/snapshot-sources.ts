import { createHash } from 'node:crypto';
import { RESTORE_SNAPSHOT_LABELS, type RestoredClaim, type RestoreSnapshotVolume } from '../../../proto/agent/restore-volumes.js';
import { HAVEN_MANAGER } from '../../../proto/mover/names.js';
import type { ExportedResource } from '../export/export-resources.js';
import type { KubeObject } from '../export/kube-object.js';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';

export const SNAPSHOT_API = '/apis/snapshot.storage.k8s.io/v1';
const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
const MAX_NAME = 253;

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** The VolumeSnapshot a restored claim is provisioned from, in the claim's (target) namespace. */
export function restoreSnapshotName(jobId: string, claim: string): string {
  const name = `haven-${jobId}-${claim}`;
  return name.length <= MAX_NAME ? name : `haven-${jobId}-${hash(claim).slice(0, 32)}`;
}

/** Cluster-scoped, so unique across namespaces and jobs. */
export function restoreContentName(jobId: string, targetNamespace: string, claim: string): string {
  return `haven-restore-${hash(`${jobId}/${targetNamespace}/${claim}`).slice(0, 40)}`;
}

const claimKey = (namespace: string | undefined, claim: string) => `${namespace ?? ''}/${claim}`;

/**
 * Restores claims from the recovery point's CSI snapshots, the way the CSI cross-namespace restore works:
 * a VolumeSnapshot can only be a data source in its own namespace, and the original may be gone with its
 * namespace, so each claim gets a pre-provisioned VolumeSnapshotContent (deletionPolicy Retain, pointing
 * at the recorded snapshot handle) bound to a new VolumeSnapshot beside the claim. The claim is then
 * provisioned from it by the same driver; its backed-up PV is not restored, since the new volume replaces it.
 */
export class SnapshotSources {
  private readonly byClaim: Map<string, RestoreSnapshotVolume>;
  /** Claims created with their snapshot as data source, for the wait that follows. */
  readonly restored: RestoredClaim[] = [];
  /** Sources created before their claim was written; those whose claim was not created are released. */
  private readonly prepared: RestoredClaim[] = [];

  constructor(
    private readonly kube: KubeRestClient,
    private readonly jobId: string,
    volumes: readonly RestoreSnapshotVolume[],
  ) {
    this.byClaim = new Map(volumes.map((v) => [claimKey(v.namespace, v.claim), v]));
  }

  private sourceOf(resource: Pick<ExportedResource, 'typeId' | 'namespace' | 'name'>): RestoreSnapshotVolume | undefined {
    return resource.typeId === 'persistentvolumeclaims' ? this.byClaim.get(claimKey(resource.namespace, resource.name)) : undefined;
  }

  /** A PV bound to a claim restored from its snapshot: a new volume is provisioned instead. */
  notRestoredReason(resource: ExportedResource): string | undefined {
    if (resource.typeId !== 'persistentvolumes') return undefined;
    const ref = resource.object.spec?.claimRef as { namespace?: string; name?: string } | undefined;
    if (!ref?.name || !this.byClaim.has(claimKey(ref.namespace, ref.name))) return undefined;
    return `replaced by a new volume provisioned from the CSI snapshot of claim ${ref.namespace}/${ref.name}`;
  }

  /** Points a transformed, sanitized claim at the VolumeSnapshot it will be provisioned from. */
  prepareObject(resource: ExportedResource, object: KubeObject): void {
    if (!this.sourceOf(resource) || !object.spec) return;
    const dataSource = { apiGroup: SNAPSHOT_GROUP, kind: 'VolumeSnapshot', name: restoreSnapshotName(this.jobId, resource.name) };
    // The API server requires dataSource and dataSourceRef to agree; the backed-up ones named the claim's own origin.
    object.spec.dataSource = dataSource;
    object.spec.dataSourceRef = { ...dataSource };
    delete object.spec.volumeName;
  }

  /** Creates the claim's snapshot source in its target namespace; a retried attempt finds its own objects. */
  async beforeWrite(resource: ExportedResource, object: KubeObject): Promise<void> {
    const volume = this.sourceOf(resource);
    const namespace = object.metadata.namespace;
    if (!volume || !namespace) return;
    const storageClass = typeof object.spec?.storageClassName === 'string' ? object.spec.storageClassName : '';
    const driver = await this.provisionerOf(storageClass);
    const snapshotName = restoreSnapshotName(this.jobId, resource.name);
    const contentName = restoreContentName(this.jobId, namespace, resource.name);
    const labels = { [RESTORE_SNAPSHOT_LABELS.managedBy]: HAVEN_MANAGER, [RESTORE_SNAPSHOT_LABELS.job]: this.jobId };
    this.prepared.push({ namespace: resource.namespace ?? '', claim: resource.name, targetNamespace: namespace, snapshotName });
    await this.createOrKeep(`${SNAPSHOT_API}/volumesnapshotcontents`, {
      apiVersion: `${SNAPSHOT_GROUP}/v1`,
      kind: 'VolumeSnapshotContent',
      metadata: { name: contentName, labels },
      spec: {
        // The driver's snapshot belongs to the recovery point: removing this copy must never delete it.
        deletionPolicy: 'Retain',
        driver,
        source: { snapshotHandle: volume.snapshotHandle },
        sourceVolumeMode: object.spec?.volumeMode === 'Block' ? 'Block' : 'Filesystem',
        volumeSnapshotRef: { apiVersion: `${SNAPSHOT_GROUP}/v1`, kind: 'VolumeSnapshot', name: snapshotName, namespace },
      },
    });
    await this.createOrKeep(`${SNAPSHOT_API}/namespaces/${encodeURIComponent(namespace)}/volumesnapshots`, {
      apiVersion: `${SNAPSHOT_GROUP}/v1`,
      kind: 'VolumeSnapshot',
      metadata: { name: snapshotName, namespace, labels },
      spec: { source: { volumeSnapshotContentName: contentName } },
    });
  }

  /** Notes a claim that was created pointing at its snapshot. */
  written(resource: ExportedResource, object: KubeObject): void {
    if (!this.sourceOf(resource) || !object.metadata.namespace) return;
    this.restored.push({
      namespace: resource.namespace ?? '',
      claim: resource.name,
      targetNamespace: object.metadata.namespace,
      snapshotName: restoreSnapshotName(this.jobId, resource.name),
    });
  }

  /**
   * Deletes the sources of claims that were not created (they existed under SKIP, or failed): nothing
   * will be provisioned from them. Snapshots first, then their Retain contents.
   */
  async releaseUnused(): Promise<void> {
    const unused = this.prepared.filter((p) => !this.restored.some((r) => r.targetNamespace === p.targetNamespace && r.claim === p.claim));
    await releaseSnapshotSources(this.kube, this.jobId, unused);
  }

  private async provisionerOf(storageClass: string): Promise<string> {
    if (!storageClass) throw new Error('the claim names no storage class, so the CSI driver to restore its snapshot with is unknown');
    const found = await this.kube.get<{ provisioner?: string }>(`/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(storageClass)}`);
    if (!found.provisioner) throw new Error(`storage class ${storageClass} names no provisioner`);
    return found.provisioner;
  }

  private async createOrKeep(collection: string, body: unknown): Promise<void> {
    try {
      await this.kube.post(collection, body);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
  }
}

/** Removes the VolumeSnapshots, then the pre-provisioned contents, made for these claims; idempotent. */
export async function releaseSnapshotSources(kube: KubeRestClient, jobId: string, claims: readonly RestoredClaim[]): Promise<void> {
  for (const claim of claims) {
    await kube.delete(`${SNAPSHOT_API}/namespaces/${encodeURIComponent(claim.targetNamespace)}/volumesnapshots/${encodeURIComponent(claim.snapshotName)}`);
  }
  for (const claim of claims) await kube.delete(`${SNAPSHOT_API}/volumesnapshotcontents/${restoreContentName(jobId, claim.targetNamespace, claim.claim)}`);
}
