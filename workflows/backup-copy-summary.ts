import type { BackupVolume, HookReportMessage } from '../proto/agent/index.js';
import type { CopiedVolume } from '../proto/mover/index.js';
import type { VolumeCopy } from './backup-copy.js';
import type { CopySelection } from '../lib/domain/copy-selection.js';
import { hookErrors, hookSummary } from './backup-hooks.js';
import { podVolumeErrors, podVolumePart, type PodVolumes, type RunSummary } from './backup-summary.js';

const METHODS = { SNAPSHOT: 'COPY_FROM_SNAPSHOT', LIVE_CLAIM: 'COPY_FROM_LIVE_CLAIM', HOST_VOLUME: 'COPY_FROM_HOST_VOLUME' } as const;

const claimRef = (v: BackupVolume) => `persistentvolumeclaims/${v.namespace}/${v.claim}`;

/** The recovery point's PV list for a copy run: every PV whose copy finished, with what a restore needs, by namespace and claim. */
export function copiedVolumes(copies: readonly VolumeCopy[], preserveSnapshots: boolean): CopiedVolume[] {
  const ordered = [...copies].sort((a, b) => a.volume.namespace.localeCompare(b.volume.namespace) || a.volume.claim.localeCompare(b.volume.claim));
  return ordered.flatMap(({ volume, source, snapshot, result }) => {
    if (!result) return [];
    const kept = preserveSnapshots && source === 'SNAPSHOT' && snapshot?.snapshotName;
    return [
      {
        namespace: volume.namespace,
        claim: volume.claim,
        storageClass: volume.storageClass,
        sizeBytes: volume.sizeBytes,
        method: METHODS[source],
        ...(volume.volumeName ? { volumeName: volume.volumeName } : {}),
        volumeMode: volume.volumeMode,
        accessModes: volume.accessModes ?? ['ReadWriteOnce'],
        copySnapshotId: result.snapshotId,
        copyBytes: result.bytes,
        copyFiles: result.files,
        ...(kept
          ? {
              ...(volume.snapshotClass ? { snapshotClass: volume.snapshotClass } : {}),
              snapshotName: snapshot.snapshotName,
              ...(snapshot.state?.contentName ? { snapshotContentName: snapshot.state.contentName } : {}),
              ...(snapshot.state?.snapshotHandle ? { snapshotHandle: snapshot.state.snapshotHandle } : {}),
            }
          : {}),
      } satisfies CopiedVolume,
    ];
  });
}

/** What the copies moved: bytes newly stored and files copied, for the job's totals. */
export function copyTotals(copies: readonly VolumeCopy[]): { newBytesStored: number; files: number; bytes: number } {
  return copies.reduce((sum, c) => ({ newBytesStored: sum.newBytesStored + (c.result?.newBytesStored ?? 0), files: sum.files + (c.result?.files ?? 0), bytes: sum.bytes + (c.result?.bytes ?? 0) }), {
    newBytesStored: 0,
    files: 0,
    bytes: 0,
  });
}

const failureOf = (c: VolumeCopy) => c.failure ?? c.snapshot?.failure ?? 'the copy did not finish';

/**
 * How a copy run that got to the end reads on its job. A PV whose snapshot or copy failed, one that
 * cannot be backed up, and a hook that failed with CONTINUE make it PARTIAL; PVs left out on purpose
 * (SKIP, unattached) are named in the message only. hostPath and emptyDir pod volumes are listed as not
 * backed up without making the run PARTIAL: they hold node-local or scratch data no copy can read.
 */
export function summarizeCopy(
  exported: { resourceCount: number; namespaces: string[] },
  selection: CopySelection,
  copies: readonly VolumeCopy[],
  hooks: readonly HookReportMessage[],
  podVolumes: PodVolumes = [],
): RunSummary {
  const failed = copies.filter((c) => c.state !== 'COPIED');
  const errors = [
    ...failed.map((c) => ({ message: `PV of claim ${c.volume.namespace}/${c.volume.claim} not backed up: ${failureOf(c)}`, resource: claimRef(c.volume) })),
    ...selection.notBackedUp.map(({ volume, reason }) => ({ message: `PV of claim ${volume.namespace}/${volume.claim} not backed up: ${reason}`, resource: claimRef(volume) })),
    ...podVolumeErrors(podVolumes),
    ...hookErrors(hooks),
  ];
  const totals = copyTotals(copies);
  const parts = [`Backed up ${exported.resourceCount} resources from ${exported.namespaces.length} namespaces`];
  if (copies.length > 0) parts.push(`${copies.length - failed.length} of ${copies.length} PVs copied (${totals.files} files, ${totals.bytes} bytes, ${totals.newBytesStored} bytes new)`);
  if (selection.notBackedUp.length > 0) parts.push(`${selection.notBackedUp.length} PVs could not be backed up`);
  if (selection.skipped.length > 0) parts.push(`${selection.skipped.length} PVs skipped (${selection.skipped.map(({ volume, reason }) => `${volume.namespace}/${volume.claim}: ${reason}`).join('; ')})`);
  parts.push(...podVolumePart(podVolumes));
  if (hooks.length > 0) parts.push(`hooks: ${hookSummary(hooks)}`);
  const partial = failed.length > 0 || selection.notBackedUp.length > 0 || hooks.some((h) => h.verdict === 'FAILED_CONTINUED');
  return { status: partial ? 'PARTIAL' : 'COMPLETED', message: parts.join('; '), errors };
}
