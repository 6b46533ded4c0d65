import type { StoredRecoveryPointVolume } from '../lib/domain/recovery-point-contents.js';
import type { BackupVolume, HookReportMessage, ScanBackupScopeResult } from '../proto/agent/index.js';
import { hookErrors, hookSummary } from './backup-hooks.js';
import { isProtected, type VolumeOutcome } from './backup-volumes.js';

export interface JobError {
  message: string;
  resource?: string;
  /** A redacted excerpt of a hook's output: kept out of `message`, since only operators and admins are shown it. */
  output?: string;
}

const claimRef = (v: BackupVolume) => `persistentvolumeclaims/${v.namespace}/${v.claim}`;

/** The recovery point's PV list: what was protected, with the snapshot that holds it. */
export function protectedVolumes(outcomes: readonly VolumeOutcome[]): StoredRecoveryPointVolume[] {
  return outcomes.filter(isProtected).map(({ volume, snapshotName, state }) => ({
    namespace: volume.namespace,
    claim: volume.claim,
    storageClass: volume.storageClass,
    sizeBytes: state?.restoreSizeBytes ?? volume.sizeBytes,
    method: 'SNAPSHOT',
    volumeName: volume.volumeName,
    volumeMode: volume.volumeMode,
    ...(volume.snapshotClass ? { snapshotClass: volume.snapshotClass } : {}),
    ...(snapshotName ? { snapshotName } : {}),
    ...(state?.contentName ? { snapshotContentName: state.contentName } : {}),
    ...(state?.snapshotHandle ? { snapshotHandle: state.snapshotHandle } : {}),
  }));
}

export type PodVolumes = NonNullable<ScanBackupScopeResult['podVolumes']>;

/**
 * hostPath and emptyDir pod volumes are named on the job as not backed up, whatever the PV mode: they
 * hold node-local or scratch data that neither a snapshot nor a copy reaches, and a user must not
 * believe them protected. They do not make a run PARTIAL: no setting could have backed them up.
 */
export function podVolumeErrors(podVolumes: PodVolumes): JobError[] {
  return podVolumes.map((v) => ({ message: `${v.type} volume "${v.volume}" of pod ${v.namespace}/${v.pod} not backed up: ${v.type} volumes are never copied`, resource: `pods/${v.namespace}/${v.pod}` }));
}

export function podVolumePart(podVolumes: PodVolumes): string[] {
  return podVolumes.length > 0 ? [`${podVolumes.length} hostPath/emptyDir pod volumes not backed up`] : [];
}

export interface RunSummary {
  status: 'COMPLETED' | 'PARTIAL';
  message: string;
  errors: JobError[];
}

/**
 * How a run that got to the end reads on its job. PVs that failed and hooks that failed with CONTINUE
 * make it PARTIAL; claims that cannot be snapshotted are listed as not backed up (never dropped) but
 * do not, since snapshot-only mode documents that they are not part of it.
 */
export function summarize(
  exported: { resourceCount: number; namespaces: string[] },
  volumes: { outcomes: readonly VolumeOutcome[]; unsupported: readonly BackupVolume[] },
  hooks: readonly HookReportMessage[],
  podVolumes: PodVolumes = [],
): RunSummary {
  const failed = volumes.outcomes.filter((o) => !isProtected(o));
  const errors: JobError[] = [
    ...failed.map((o) => ({ message: `PV of claim ${o.volume.namespace}/${o.volume.claim} not backed up: ${o.failure ?? 'the snapshot did not become ready'}`, resource: claimRef(o.volume) })),
    ...volumes.unsupported.map((v) => ({ message: `PV of claim ${v.namespace}/${v.claim} not backed up: ${v.unsupportedReason ?? 'it cannot be snapshotted'}`, resource: claimRef(v) })),
    ...podVolumeErrors(podVolumes),
    ...hookErrors(hooks),
  ];
  const parts = [`Backed up ${exported.resourceCount} resources from ${exported.namespaces.length} namespaces`];
  const snapshotted = volumes.outcomes.length - failed.length;
  if (volumes.outcomes.length > 0) parts.push(`${snapshotted} of ${volumes.outcomes.length} PVs snapshotted`);
  if (volumes.unsupported.length > 0) parts.push(`${volumes.unsupported.length} PVs cannot be snapshotted and were not backed up`);
  parts.push(...podVolumePart(podVolumes));
  if (hooks.length > 0) parts.push(`hooks: ${hookSummary(hooks)}`);
  const partial = failed.length > 0 || hooks.some((h) => h.verdict === 'FAILED_CONTINUED');
  return { status: partial ? 'PARTIAL' : 'COMPLETED', message: parts.join('; '), errors };
}
