import { clusters, definitionClusterId, definitions, policies, recoveryPoints } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { StoredDrillSpec } from '../../../../lib/domain/definitions/stored.js';
import { requireReference } from '../references.js';
import { definitionMeta } from '../definitions/kind.js';
import type { DefinitionKindSpec } from '../definitions/kind.js';
import { definitionColumns, type PreparedDefinition } from '../definitions/store.js';
import { startRunIfAsked } from '../definitions/start-run.js';
import { RestoreDrill, RestoreDrillInput } from './schema.js';

async function prepare(scope: TenantScope, input: RestoreDrillInput): Promise<PreparedDefinition> {
  const backup = await requireReference(scope, definitions, input.backupDefinitionId, 'body.backupDefinitionId', 'backup definition');
  if (backup.kind !== 'BACKUP') throw fieldProblem('body.backupDefinitionId', `${input.backupDefinitionId} is a ${backup.kind.toLowerCase()} definition, not a backup definition`);
  if (input.recoveryPointId) {
    const point = await requireReference(scope, recoveryPoints, input.recoveryPointId, 'body.recoveryPointId', 'recovery point');
    if (point.definitionId !== backup.id) throw fieldProblem('body.recoveryPointId', `recovery point ${point.id} was not made by backup definition "${backup.name}"`);
  }
  const targetClusterId = input.targetClusterId ?? backup.clusterId;
  if (input.targetClusterId) await requireReference(scope, clusters, input.targetClusterId, 'body.targetClusterId', 'cluster');
  if (input.policyId) await requireReference(scope, policies, input.policyId, 'body.policyId', 'policy');
  const spec: StoredDrillSpec = {
    backupDefinitionId: backup.id,
    namespacePrefix: input.namespacePrefix,
    readinessTimeoutMinutes: input.readinessTimeoutMinutes,
    persistentVolumes: input.persistentVolumes,
  };
  return {
    columns: definitionColumns({
      name: input.name,
      clusterId: targetClusterId,
      policyId: input.policyId,
      recoveryPointId: input.recoveryPointId,
      spec,
      tags: input.tags,
      notifications: input.notifications,
    }),
    hooks: [],
  };
}

export const restoreDrillKind: DefinitionKindSpec<typeof RestoreDrillInput, typeof RestoreDrill> = {
  kind: 'DRILL',
  path: '/restore-drills',
  what: 'restore drill',
  tag: 'restore-drills',
  input: RestoreDrillInput,
  output: RestoreDrill,
  prepare,
  afterCreate: (scope, row, input, context) => startRunIfAsked(scope, context, row, input),
  toApi(row) {
    const spec = row.spec as unknown as StoredDrillSpec;
    return {
      ...definitionMeta(row),
      backupDefinitionId: spec.backupDefinitionId,
      recoveryPointId: row.recoveryPointId,
      targetClusterId: definitionClusterId(row),
      namespacePrefix: spec.namespacePrefix,
      readinessTimeoutMinutes: spec.readinessTimeoutMinutes,
      persistentVolumes: spec.persistentVolumes,
      policyId: row.policyId,
    };
  },
};
