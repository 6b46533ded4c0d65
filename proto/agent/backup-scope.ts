import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';
import { ExportSelectionV1 } from './export-resources.js';

/** Control plane -> agent: which namespaces and persistent volume claims a run's selection covers. */
export const ScanBackupScopeRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  selection: ExportSelectionV1,
});
export type ScanBackupScopeRequest = Static<typeof ScanBackupScopeRequestV1>;

/** One selected claim and how it could be snapshotted; `unsupportedReason` says why it cannot. */
export const BackupVolumeV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  /** '' when the claim names none and no default applied. */
  storageClass: Type.String(),
  /** The bound PV, '' when the claim is not bound. */
  volumeName: Type.String(),
  volumeMode: Type.Union([Type.Literal('Filesystem'), Type.Literal('Block')]),
  /** Capacity of the bound PV (the request when unbound). */
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** The CSI driver of the bound PV, when it is a CSI volume. */
  driver: Type.Optional(Type.String()),
  /** The VolumeSnapshotClass to use for it, when the driver has one. */
  snapshotClass: Type.Optional(Type.String()),
  unsupportedReason: Type.Optional(Type.String()),
  /** The claim's access modes, for re-creating it on restore. */
  accessModes: Type.Optional(Type.Array(Type.String())),
  /** Whether a pod that has not finished mounts the claim (absent from older agents: treat as attached). */
  attached: Type.Optional(Type.Boolean()),
});
export type BackupVolume = Static<typeof BackupVolumeV1>;

export const ScanBackupScopeResultV1 = Type.Object({
  version: Type.Literal(1),
  /** Existing namespaces the selection covers, sorted: where hooks with no namespaces of their own look. */
  namespaces: Type.Array(Type.String()),
  /** Ordered by namespace then claim. */
  volumes: Type.Array(BackupVolumeV1),
  /** hostPath and emptyDir volumes of the selected pods: never backed up, so the job says so (absent from older agents). */
  podVolumes: Type.Optional(
    Type.Array(Type.Object({ namespace: Type.String(), pod: Type.String(), volume: Type.String(), type: Type.Union([Type.Literal('hostPath'), Type.Literal('emptyDir')]) })),
  ),
});
export type ScanBackupScopeResult = Static<typeof ScanBackupScopeResultV1>;

export const scanBackupScopeRequestCodec = versionedCodec<ScanBackupScopeRequest>('scan-backup-scope request', {
  1: versionDecoder(ScanBackupScopeRequestV1, (value) => value),
});

export const scanBackupScopeResultCodec = versionedCodec<ScanBackupScopeResult>('scan-backup-scope result', {
  1: versionDecoder(ScanBackupScopeResultV1, (value) => value),
});
