import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Id, Name, NamespaceName, Nullable, RecordMeta, Tags } from '../../../../lib/domain/schema-kit.js';
import { CopyOptions, HookIds, PersistentVolumeOptions, ReplaceUnmanagedNamespaces, RunNow, Selection, Transforms, NotificationPreferences } from '../../../../lib/domain/definitions/options.js';

export const ReplicationDestination = Type.Object(
  {
    clusterId: { ...Id, description: 'The registered cluster to replicate to.' },
    namespaces: Type.Array(NamespaceName, {
      minItems: 1,
      maxItems: 1000,
      uniqueItems: true,
      description: 'Namespaces on the destination that every run deletes and re-creates. Required: nothing else there is touched.',
    }),
    replaceUnmanagedNamespaces: ReplaceUnmanagedNamespaces,
  },
  { additionalProperties: false },
);

export const ReplicationHooks = Type.Object(
  {
    sourcePreBackup: { ...HookIds, description: 'PRE_BACKUP hooks on the source cluster.' },
    sourcePostBackup: { ...HookIds, description: 'POST_BACKUP hooks on the source cluster.' },
    destinationPostRestore: { ...HookIds, description: 'POST_RESTORE hooks on the destination cluster.' },
  },
  { additionalProperties: false, default: {} },
);

export const ReplicationDefinitionInput = Type.Object(
  {
    name: Name,
    sourceClusterId: { ...Id, description: 'The cluster to copy from.' },
    selection: Selection,
    persistentVolumes: PersistentVolumeOptions,
    advanced: {
      ...CopyOptions,
      description: 'Copy options; destinationStorageTargetId is the temporary storage the replica passes through.',
    },
    destination: ReplicationDestination,
    transforms: Transforms,
    hooks: ReplicationHooks,
    policyId: Nullable(Id, {
      default: null,
      description: 'The policy\'s schedules start runs; its retention and SafeLock settings are ignored for replication.',
    }),
    runNow: RunNow(true),
    tags: Tags,
    notifications: NotificationPreferences,
  },
  { additionalProperties: false },
);
export type ReplicationDefinitionInput = Static<typeof ReplicationDefinitionInput>;

const { runNow: _runNow, ...storedProperties } = ReplicationDefinitionInput.properties;

export const ReplicationDefinition = Type.Object({
  ...RecordMeta,
  ...storedProperties,
  name: Type.String(),
  paused: Type.Boolean(),
  policyUsage: Type.Literal('SCHEDULE_ONLY', {
    description: 'Replication takes only the schedules from its policy; the policy\'s retention and SafeLock do not apply.',
  }),
});
export type ReplicationDefinition = Static<typeof ReplicationDefinition>;
