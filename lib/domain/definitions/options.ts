import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { SelectedResources, SelectedVolumes } from './granular-selection.js';
import { ResourceType } from './resource-type.js';
import { Id, KeyedRecord, NamespaceList, NamespaceName, Nullable, StorageClassMap, StorageClassName, StringEnum } from '../schema-kit.js';

/**
 * Option groups shared by backup, replication and restore definitions. Defaults and ranges are the
 * product's; each is a named constant so the workflows can use the same values.
 */

export const DEFAULT_CONCURRENT_PVS = 2;
export const MAX_CONCURRENT_PVS = 16;
export const DEFAULT_BACKUP_TOTAL_CONCURRENT_FILES = 24;
export const DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES = 16;
export const MAX_TOTAL_CONCURRENT_FILES = 256;
export const DEFAULT_CSI_SNAPSHOT_TIMEOUT_MINUTES = 10;
export const DEFAULT_DATA_MOVER_POD_TIMEOUT_MINUTES = 20;
export const MAX_TIMEOUT_MINUTES = 24 * 60;
export const MIN_DATA_MOVER_MEMORY_MIB = 512;
export const MAX_DATA_MOVER_MEMORY_MIB = 8192;
export const DEFAULT_DATA_MOVER_MEMORY_MIB = 1024;
export const MAX_SPEED_PER_STREAM_MBPS = 100_000;
export const MAX_HOOKS_PER_SLOT = 20;

export const MIN_RETENTION_DAYS = 1;
/** Ten years: long enough for compliance retention, short enough to catch a typo like 36500. */
export const MAX_RETENTION_DAYS = 3650;

export const RetentionDays = Type.Integer({
  minimum: MIN_RETENTION_DAYS,
  maximum: MAX_RETENTION_DAYS,
  description: 'Days a recovery point is kept before it is deleted.',
});

export const SELECTION_SCOPES = ['FULL_CLUSTER', 'SELECTED_NAMESPACES', 'FULL_CLUSTER_EXCEPT'] as const;
export const PV_MODES = ['SNAPSHOT_ONLY', 'BACKUP_TO_OBJECT_STORAGE'] as const;
/** How a storage class's PVs are read: from a CSI snapshot, from the live PVC, from the node's pod volume directory, or not at all. */
export const PV_BACKUP_METHODS = ['SNAPSHOT', 'PVC', 'HOST', 'SKIP'] as const;

export { ResourceType };

export const LabelSelectorText = Type.String({
  maxLength: 2048,
  default: '',
  description:
    'Label selection: space-separated key:value terms must all match; key:v1,v2 matches either value. ' +
    '`a:b,c x:y` = (a = b or a = c) and x = y. Empty selects regardless of labels.',
  examples: ['app:web,api tier:frontend'],
});

export const Selection = Type.Object(
  {
    scope: StringEnum(SELECTION_SCOPES, {
      default: 'FULL_CLUSTER',
      description:
        'FULL_CLUSTER: every namespace and cluster-scoped resource; SELECTED_NAMESPACES: only `namespaces` (and the ' +
        'cluster-scoped resources they use); FULL_CLUSTER_EXCEPT: everything but `excludedNamespaces`.',
    }),
    namespaces: { ...NamespaceList, description: 'Required (non-empty) with SELECTED_NAMESPACES; must be empty otherwise.' },
    excludedNamespaces: { ...NamespaceList, description: 'Required (non-empty) with FULL_CLUSTER_EXCEPT; must be empty otherwise.' },
    resourceTypes: Type.Array(ResourceType, { maxItems: 500, uniqueItems: true, default: [], description: 'Empty selects every type.' }),
    labels: LabelSelectorText,
  },
  { additionalProperties: false, default: {} },
);
export type Selection = Static<typeof Selection>;

export const PersistentVolumeOptions = Type.Object(
  {
    include: Type.Boolean({ default: true, description: 'Protect the persistent volumes of the selected namespaces.' }),
    mode: StringEnum(PV_MODES, {
      default: 'BACKUP_TO_OBJECT_STORAGE',
      description: 'SNAPSHOT_ONLY keeps CSI snapshots in the cluster; BACKUP_TO_OBJECT_STORAGE copies PV data to the destination.',
    }),
    snapshotBeforeBackup: Type.Boolean({ default: true, description: 'Snapshot PVs that support it and copy from the snapshot, for consistency.' }),
    backupUnsnapshottedPvs: Type.Boolean({ default: true, description: 'Copy directly from every PV that was not snapshotted.' }),
    methodByStorageClass: KeyedRecord(StorageClassName, StringEnum(PV_BACKUP_METHODS), {
      maxProperties: 200,
      default: {},
      description: 'Overrides the automatic choice per storage class (BACKUP_TO_OBJECT_STORAGE only).',
    }),
    preserveSnapshots: Type.Boolean({ default: false, description: 'Keep the snapshots after the copy instead of deleting them.' }),
    snapshotRetentionDays: Nullable(RetentionDays, {
      default: null,
      description: 'Retention of preserved snapshots; null uses the copy\'s retention. Only with preserveSnapshots.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type PersistentVolumeOptions = Static<typeof PersistentVolumeOptions>;

const ConcurrentPvs = Type.Integer({
  minimum: 1,
  maximum: MAX_CONCURRENT_PVS,
  default: DEFAULT_CONCURRENT_PVS,
  description: 'PVs copied at the same time (each by its own data mover).',
});
const DataMoverMemory = Type.Integer({
  minimum: MIN_DATA_MOVER_MEMORY_MIB,
  maximum: MAX_DATA_MOVER_MEMORY_MIB,
  default: DEFAULT_DATA_MOVER_MEMORY_MIB,
  description: 'Memory limit of each data mover pod, in MiB.',
});
const DataMoverPodTimeout = Type.Integer({
  minimum: 1,
  maximum: MAX_TIMEOUT_MINUTES,
  default: DEFAULT_DATA_MOVER_POD_TIMEOUT_MINUTES,
  description: 'Minutes a data mover pod may take to start once its volume is bound.',
});

export const CopyOptions = Type.Object(
  {
    destinationStorageTargetId: Nullable(Id, {
      default: null,
      description: 'Storage target for this definition\'s data; null inherits the cluster\'s, then the organization\'s default.',
    }),
    concurrentPvs: ConcurrentPvs,
    totalConcurrentFiles: Type.Integer({
      minimum: 1,
      maximum: MAX_TOTAL_CONCURRENT_FILES,
      default: DEFAULT_BACKUP_TOTAL_CONCURRENT_FILES,
      description: 'Files copied at the same time across all PVs; each PV gets totalConcurrentFiles / concurrentPvs.',
    }),
    maxSpeedPerStreamMBps: Nullable(Type.Integer({ minimum: 1, maximum: MAX_SPEED_PER_STREAM_MBPS }), {
      default: null,
      description: 'Bandwidth cap per PV stream in MB/s; null is unlimited.',
    }),
    dataMoverPodTimeoutMinutes: DataMoverPodTimeout,
    excludeUnattachedPvcs: Type.Boolean({ default: false, description: 'Skip PVCs no pod mounts.' }),
    snapshotMountStorageClasses: {
      ...StorageClassMap,
      description: 'Storage class to mount each source class\'s snapshots with while copying (same CSI driver); unmapped classes use their own.',
    },
    csiSnapshotTimeoutMinutes: Type.Integer({
      minimum: 1,
      maximum: MAX_TIMEOUT_MINUTES,
      default: DEFAULT_CSI_SNAPSHOT_TIMEOUT_MINUTES,
      description: 'Minutes to wait for a CSI snapshot to become ready.',
    }),
    dataMoverMemoryLimitMiB: DataMoverMemory,
  },
  { additionalProperties: false, default: {} },
);
export type CopyOptions = Static<typeof CopyOptions>;

export const RestoreVolumeOptions = Type.Object(
  {
    include: Type.Boolean({ default: true, description: 'Restore persistent volume data.' }),
    concurrentPvs: ConcurrentPvs,
    totalConcurrentFiles: Type.Integer({
      minimum: 1,
      maximum: MAX_TOTAL_CONCURRENT_FILES,
      default: DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES,
      description: 'Files restored at the same time across all PVs.',
    }),
    dataMoverPodTimeoutMinutes: DataMoverPodTimeout,
    dataMoverMemoryLimitMiB: DataMoverMemory,
  },
  { additionalProperties: false, default: {} },
);
export type RestoreVolumeOptions = Static<typeof RestoreVolumeOptions>;

const NamespaceAffix = (pattern: string, example: string) =>
  Type.String({ maxLength: 31, pattern, default: '', description: `Added to every restored namespace name, e.g. "${example}".` });

export const Transforms = Type.Object(
  {
    namespacePrefix: NamespaceAffix('^([a-z0-9][-a-z0-9]*)?$', 'dr-'),
    namespaceSuffix: NamespaceAffix('^([-a-z0-9]*[a-z0-9])?$', '-dev'),
    namespaceMapping: KeyedRecord(NamespaceName, NamespaceName, {
      maxProperties: 1000,
      default: {},
      description: 'Explicit new names; unmapped namespaces keep theirs. Cannot be combined with a prefix or suffix.',
    }),
    storageClassMapping: { ...StorageClassMap, description: 'Storage class to use on the target for each source class.' },
    preserveNodePorts: Type.Boolean({
      default: false,
      description: 'Keep automatically assigned node ports (manually assigned ones are always kept).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type Transforms = Static<typeof Transforms>;

export const EXISTING_RESOURCE_POLICIES = ['SKIP', 'UPDATE'] as const;

export const RestoreSelection = Type.Object(
  {
    namespaces: { ...NamespaceList, description: 'Namespaces of the recovery point to restore; empty restores all of them.' },
    resourceTypes: Type.Array(ResourceType, { maxItems: 500, uniqueItems: true, default: [], description: 'Empty restores every type.' }),
    labels: LabelSelectorText,
    resources: SelectedResources,
    volumes: SelectedVolumes,
  },
  { additionalProperties: false, default: {} },
);
export type RestoreSelection = Static<typeof RestoreSelection>;
export type ExistingResourcePolicy = (typeof EXISTING_RESOURCE_POLICIES)[number];

/**
 * Each replication run deletes its destination namespaces. By default it deletes only those Haven made
 * (labelled `app.kubernetes.io/managed-by=haven`, as every replica namespace is): a namespace someone
 * made by hand fails the run instead of being wiped. Setting this true needs the admin role.
 */
export const ReplaceUnmanagedNamespaces = Type.Boolean({
  default: false,
  description:
    'Let runs delete destination namespaces Haven did not create (no app.kubernetes.io/managed-by=haven label) and everything in them. ' +
    'false (default): such a namespace fails the run, untouched. Setting it true needs the admin role.',
});

export const HookIds = Type.Array(Id, { maxItems: MAX_HOOKS_PER_SLOT, uniqueItems: true, default: [] });

export const AdHocRun = Type.Object(
  {
    retentionDays: Type.Optional({
      ...RetentionDays,
      description: 'Retention of this run\'s recovery point. Required when the definition has no policy; otherwise defaults to the first schedule\'s.',
    }),
  },
  { additionalProperties: false },
);
export type AdHocRun = Static<typeof AdHocRun>;

/**
 * Create and run in one call: every definition kind takes it on create (ignored on replace). Only the default
 * differs: a replication runs at once unless told not to, as the product's wizard does; backups and restores
 * are saved without running unless asked ("Create & Run").
 */
export function RunNow(byDefault: boolean) {
  return Type.Boolean({
    default: byDefault,
    description: 'Start a first run as soon as the definition is saved (create only). If that run cannot start, nothing is saved; the job is listed under /jobs?definitionId=.',
  });
}

/** What a definition's runs notify: the organization's channels (notification-channels) unless opted out. */
export const NotificationPreferences = Type.Object(
  {
    optOut: Type.Boolean({ default: false, description: 'Send no notification about this definition\'s runs, whatever the organization\'s channels want.' }),
  },
  { additionalProperties: false, default: {} },
);
export type NotificationPreferences = Static<typeof NotificationPreferences>;
