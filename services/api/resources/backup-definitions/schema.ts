import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Id, Name, Nullable, RecordMeta, Tags } from '../../../../lib/domain/schema-kit.js';
import { CopyOptions, HookIds, PersistentVolumeOptions, RetentionDays, RunNow, Selection, NotificationPreferences } from '../../../../lib/domain/definitions/options.js';

export const BackupHooks = Type.Object(
  {
    preBackup: { ...HookIds, description: 'PRE_BACKUP app hooks, run in order before snapshots.' },
    postBackup: { ...HookIds, description: 'POST_BACKUP app hooks, run in order once snapshots exist (after live PV reads).' },
  },
  { additionalProperties: false, default: {} },
);

export const BackupDefinitionInput = Type.Object(
  {
    name: Name,
    clusterId: { ...Id, description: 'The cluster to back up.' },
    selection: Selection,
    persistentVolumes: PersistentVolumeOptions,
    advanced: CopyOptions,
    hooks: BackupHooks,
    policyId: Nullable(Id, { default: null, description: 'Schedules and retention; null means the backup runs only on demand.' }),
    tags: Tags,
    notifications: NotificationPreferences,
    runNow: RunNow(false),
    runNowRetentionDays: Type.Optional({
      ...RetentionDays,
      description: 'With runNow: retention of the first run\'s recovery point. Required when the definition has no policy; otherwise defaults to the first schedule\'s.',
    }),
  },
  { additionalProperties: false },
);
export type BackupDefinitionInput = Static<typeof BackupDefinitionInput>;

const { runNow: _runNow, runNowRetentionDays: _runNowRetentionDays, ...storedProperties } = BackupDefinitionInput.properties;

export const BackupDefinition = Type.Object({
  ...RecordMeta,
  ...storedProperties,
  name: Type.String(),
  paused: Type.Boolean({ description: 'Scheduling is paused (runs are skipped); see the pause and resume actions.' }),
});
export type BackupDefinition = Static<typeof BackupDefinition>;
