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
  workflowId: Type.String({ description: 'Temporal workflow id of the run.' }),
  workflowRunId: Nullable(Type.String()),
  temporalUiUrl: Type.String({ format: 'uri', description: 'The run in the Temporal UI.' }),
});
export type Job = Static<typeof Job>;
