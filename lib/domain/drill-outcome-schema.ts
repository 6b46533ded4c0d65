import { Type } from '@sinclair/typebox';
import { DRILL_RESULTS } from '../common/enums.js';
import { StringEnum } from './schema-kit.js';
import { DrillDifferenceV1 } from '../../proto/agent/drill-check.js';

/** A restore drill's verdict as the API shows it, on the drill's job and as a recovery point's lastDrill. */
export const DrillOutcome = Type.Object({
  result: StringEnum(DRILL_RESULTS, { description: 'PASSED: the restored copy matched the recovery point; FAILED: see differences.' }),
  recoveryPointId: Type.String({ format: 'uuid' }),
  jobId: Type.String({ format: 'uuid', description: 'The drill job that produced this verdict.' }),
  namespaces: Type.Array(Type.String(), { description: 'The scratch namespaces the copy was restored into (deleted afterwards).' }),
  resourcesCompared: Type.Integer({ minimum: 0 }),
  volumesCompared: Type.Integer({ minimum: 0 }),
  volumesDigested: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: "PVs restored from a copy whose data was read back and its digest compared with the recovery point's copy in the repository (absent in verdicts recorded before this comparison existed).",
    }),
  ),
  workloadsReady: Type.Integer({ minimum: 0 }),
  differences: Type.Array(DrillDifferenceV1, { description: 'Every way the copy differs from the recovery point (at most 200).' }),
  endedAt: Type.String({ format: 'date-time' }),
});
