import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';
import { ExportSelectionV1 } from './export-resources.js';

const PvMethodV1 = Type.Union([Type.Literal('SNAPSHOT'), Type.Literal('PVC'), Type.Literal('HOST'), Type.Literal('SKIP')]);

/** Control plane -> agent: what would a backup definition take, without taking it. */
export const PreviewBackupRequestV1 = Type.Object({
  version: Type.Literal(1),
  selection: ExportSelectionV1,
  persistentVolumes: Type.Object({
    include: Type.Boolean(),
    mode: Type.Union([Type.Literal('SNAPSHOT_ONLY'), Type.Literal('BACKUP_TO_OBJECT_STORAGE')]),
    snapshotBeforeBackup: Type.Boolean(),
    backupUnsnapshottedPvs: Type.Boolean(),
    methodByStorageClass: Type.Record(Type.String(), PvMethodV1),
    excludeUnattachedPvcs: Type.Boolean(),
  }),
  /** Names listed per resource type; the count is always complete. */
  maxNamesPerType: Type.Integer({ minimum: 0 }),
});
export type PreviewBackupRequest = Static<typeof PreviewBackupRequestV1>;

export const PreviewResourceTypeV1 = Type.Object({
  typeId: Type.String(),
  kind: Type.String(),
  namespaced: Type.Boolean(),
  count: Type.Integer({ minimum: 0 }),
  /** `namespace/name` or `name`, sorted, at most maxNamesPerType. */
  names: Type.Array(Type.String()),
  /** More objects than names: the list was cut at maxNamesPerType. */
  truncated: Type.Boolean(),
});
export type PreviewResourceType = Static<typeof PreviewResourceTypeV1>;

export const PreviewVolumeV1 = Type.Object({
  namespace: Type.String(),
  claim: Type.String(),
  storageClass: Type.String(),
  volumeName: Type.String(),
  sizeBytes: Type.Integer({ minimum: 0 }),
  method: PvMethodV1,
  /** Why the method was chosen when it is not the plain default, and always for SKIP. */
  reason: Type.Optional(Type.String()),
});
export type PreviewVolume = Static<typeof PreviewVolumeV1>;

/** A pod volume that lives outside any PV and so is never in a backup. */
export const PreviewUnprotectedVolumeV1 = Type.Object({
  namespace: Type.String(),
  pod: Type.String(),
  volume: Type.String(),
  type: Type.Union([Type.Literal('hostPath'), Type.Literal('emptyDir')]),
});
export type PreviewUnprotectedVolume = Static<typeof PreviewUnprotectedVolumeV1>;

export const PreviewBackupResultV1 = Type.Object({
  version: Type.Literal(1),
  /** Namespaces holding at least one selected object, sorted (as a run's recovery point lists them). */
  namespaces: Type.Array(Type.String()),
  resourceCount: Type.Integer({ minimum: 0 }),
  /** Sorted by type id. */
  resourceTypes: Type.Array(PreviewResourceTypeV1),
  /** Ordered by namespace then claim. */
  volumes: Type.Array(PreviewVolumeV1),
  notBackedUp: Type.Array(PreviewUnprotectedVolumeV1),
});
export type PreviewBackupResult = Static<typeof PreviewBackupResultV1>;

export const previewBackupRequestCodec = versionedCodec<PreviewBackupRequest>('preview-backup request', {
  1: versionDecoder(PreviewBackupRequestV1, (value) => value),
});

export const previewBackupResultCodec = versionedCodec<PreviewBackupResult>('preview-backup result', {
  1: versionDecoder(PreviewBackupResultV1, (value) => value),
});
