import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Id, Name, Nullable, RecordMeta, Tags } from '../../../../lib/domain/schema-kit.js';
import { RestoreVolumeOptions, RunNow, NotificationPreferences } from '../../../../lib/domain/definitions/options.js';

export const DEFAULT_DRILL_NAMESPACE_PREFIX = 'drill-';
export const DEFAULT_DRILL_READINESS_TIMEOUT_MINUTES = 10;
export const MAX_DRILL_READINESS_TIMEOUT_MINUTES = 240;

export const RestoreDrillInput = Type.Object(
  {
    name: Name,
    backupDefinitionId: { ...Id, description: 'The backup definition whose recovery points are drilled.' },
    recoveryPointId: Nullable(Id, { default: null, description: 'The recovery point to drill; null drills the backup definition\'s latest one each run.' }),
    targetClusterId: Nullable(Id, {
      default: null,
      description: 'Where the scratch copy is restored: a second cluster, or null for the backup definition\'s own cluster.',
    }),
    namespacePrefix: Type.String({
      minLength: 1,
      maxLength: 31,
      pattern: '^[a-z0-9][-a-z0-9]*$',
      default: DEFAULT_DRILL_NAMESPACE_PREFIX,
      description:
        'Put before each namespace of the recovery point to name its scratch copy. A scratch namespace that exists and was not created by Haven fails the drill, untouched; every scratch namespace is deleted when the drill ends.',
    }),
    readinessTimeoutMinutes: Type.Integer({
      minimum: 1,
      maximum: MAX_DRILL_READINESS_TIMEOUT_MINUTES,
      default: DEFAULT_DRILL_READINESS_TIMEOUT_MINUTES,
      description: 'How long the restored workloads have to become ready; one still not ready then is a difference.',
    }),
    persistentVolumes: RestoreVolumeOptions,
    policyId: Nullable(Id, { default: null, description: 'Schedules the drill runs on (their retention is ignored); null runs it only on demand.' }),
    tags: Tags,
    notifications: NotificationPreferences,
    runNow: RunNow(false),
  },
  { additionalProperties: false },
);
export type RestoreDrillInput = Static<typeof RestoreDrillInput>;

const { runNow: _runNow, ...storedProperties } = RestoreDrillInput.properties;

export const RestoreDrill = Type.Object({
  ...RecordMeta,
  ...storedProperties,
  name: Type.String(),
  targetClusterId: Id,
  backupDefinitionId: Nullable(Id, { description: 'null once the backup definition is deleted.' }),
  recoveryPointId: Nullable(Id),
  paused: Type.Boolean(),
});
export type RestoreDrill = Static<typeof RestoreDrill>;
