import { DrillOutcome } from '../../../../lib/domain/drill-outcome-schema.js';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { JOB_KINDS, JOB_STATUSES } from '../../../../lib/common/enums.js';
import { Id, Nullable, StringEnum, Timestamp } from '../../../../lib/domain/schema-kit.js';

export const JobStatus = StringEnum(JOB_STATUSES, {
  description:
    'RUNNING; COMPLETED; PARTIAL (finished with errors, e.g. a hook failed with CONTINUE); FAILED; SKIPPED (not started: see ' +
    'skipReason); CANCELLED.',
});
export const JobKind = StringEnum(JOB_KINDS);

const Count = Type.Integer({ minimum: 0 });
const ExpectedCount = (what: string) => Nullable(Type.Integer({ minimum: 0 }), { description: `null while ${what} is not known yet.` });
const Figures = {
  bytesDone: Count,
  bytesExpected: ExpectedCount('the size'),
  filesDone: Count,
  filesExpected: ExpectedCount('the file count'),
  bytesPerSecond: Nullable(Type.Number({ minimum: 0 }), { description: 'Measured over the last ~30 s of samples; null until there are two.' }),
  etaSeconds: Nullable(Type.Number({ minimum: 0 }), { description: 'Remaining bytes at the current rate; null without an expected size or a rate.' }),
};

export const VolumeProgress = Type.Object({
  namespace: Type.String({ description: 'Namespace of the claim in the recovery point (a restore may land it in another).' }),
  claim: Type.String(),
  state: Type.String({ description: 'Where the volume is in the run, e.g. PENDING, SNAPSHOTTING, COPYING, COPIED (backups), FILLING, FILLED (restores).' }),
  ...Figures,
});

export const JobProgress = Type.Object(
  {
    step: Type.String({ description: 'Machine key of the step, e.g. COPYING_VOLUMES (backup), RESTORING_VOLUMES (restore), BACKING_UP (replication).' }),
    description: Type.String({ description: 'The step for people.' }),
    stepStartedAt: Timestamp,
    updatedAt: Timestamp,
    ...Figures,
    volumes: Type.Array(VolumeProgress),
  },
  {
    description:
      'The run as it stands, read live from Temporal (the run\'s progress query and its copies\' heartbeats; nothing is stored). ' +
      'Totals are over the volumes; expected totals are null until every volume has an expected figure. Only a read of one job ' +
      '(GET /jobs/{id}, its events) carries it; lists, and jobs no longer RUNNING, have null.',
  },
);
export type JobProgress = Static<typeof JobProgress>;
export type VolumeProgress = Static<typeof VolumeProgress>;

export const Job = Type.Object({
  id: Id,
  kind: JobKind,
  definitionId: Nullable(Id, { description: 'null once the definition is deleted.' }),
  definitionName: Type.String(),
  clusterId: Nullable(Id),
  status: JobStatus,
  skipReason: Nullable(Type.String(), { description: 'Why a SKIPPED job did not run: agent not connected, already running, schedule paused.' }),
  message: Type.String(),
  startedAt: Timestamp,
  endedAt: Nullable(Timestamp),
  durationSeconds: Nullable(Type.Number({ minimum: 0 })),
  bytesTransferred: Type.Integer({ minimum: 0 }),
  filesTransferred: Type.Integer({ minimum: 0 }),
  errors: Type.Array(
    Type.Object({
      message: Type.String(),
      resource: Type.Optional(Type.String()),
      output: Type.Optional(
        Type.String({
          description:
            'Operator-only: a short, redacted excerpt of the failing hook pod\'s stderr. Returned to operator and admin keys only; ' +
            'viewers never see hook output (it may hold what the application printed, secrets included).',
        }),
      ),
    }),
  ),
  drill: Nullable(DrillOutcome, { description: 'DRILL jobs: the verdict and its differences, once the drill has compared; null otherwise.' }),
  workflowId: Type.String({ description: 'Temporal workflow id of the run.' }),
  workflowRunId: Nullable(Type.String()),
  temporalUiUrl: Type.String({ format: 'uri', description: 'The run in the Temporal UI.' }),
  progress: Nullable(JobProgress, { description: 'null unless the job is RUNNING and its run answered in time; see JobProgress.' }),
});
export type Job = Static<typeof Job>;
