import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Id, Name, Nullable, RecordMeta, StringEnum, Tags } from '../../../../lib/domain/schema-kit.js';
import { EXISTING_RESOURCE_POLICIES, HookIds, RestoreSelection, RestoreVolumeOptions, RunNow, Transforms, NotificationPreferences } from '../../../../lib/domain/definitions/options.js';

export const RestoreInput = Type.Object(
  {
    name: Name,
    recoveryPointId: { ...Id, description: 'The recovery point to restore from.' },
    targetClusterId: { ...Id, description: 'The cluster to restore into: the backed-up one or another registered cluster.' },
    selection: RestoreSelection,
    transforms: Transforms,
    existingResources: StringEnum(EXISTING_RESOURCE_POLICIES, {
      default: 'SKIP',
      description: 'What to do with a resource that already exists on the target: leave it (SKIP) or patch it to the backed-up state (UPDATE).',
    }),
    persistentVolumes: RestoreVolumeOptions,
    hooks: Type.Object(
      { postRestore: { ...HookIds, description: 'POST_RESTORE app hooks run on the target after the restore.' } },
      { additionalProperties: false, default: {} },
    ),
    tags: Tags,
    notifications: NotificationPreferences,
    runNow: RunNow(false),
  },
  { additionalProperties: false },
);
export type RestoreInput = Static<typeof RestoreInput>;

const { runNow: _runNow, ...storedProperties } = RestoreInput.properties;

export const Restore = Type.Object({
  ...RecordMeta,
  ...storedProperties,
  name: Type.String(),
  recoveryPointId: Nullable(Id, { description: 'null once the recovery point has expired.' }),
  paused: Type.Boolean(),
});
export type Restore = Static<typeof Restore>;
