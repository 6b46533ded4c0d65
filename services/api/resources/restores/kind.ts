import { clusters, recoveryPoints, definitionClusterId } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { requireReference } from '../references.js';
import { checkHookSlots } from '../definitions/hook-slots.js';
import type { HookSlot } from '../definitions/hook-slots.js';
import { definitionMeta } from '../definitions/kind.js';
import type { DefinitionKindSpec } from '../definitions/kind.js';
import { checkLabels, checkNotProtected, checkRenamedNotProtected, checkTransforms } from '../definitions/parts-rules.js';
import type { RestoreVolumeOptions, Transforms } from '../../../../lib/domain/definitions/options.js';
import { definitionColumns, type PreparedDefinition } from '../definitions/store.js';
import { startRunIfAsked } from '../definitions/start-run.js';
import { checkGranularSelection } from './granular-rules.js';
import { Restore, RestoreInput } from './schema.js';

interface RestoreSpec {
  selection: RestoreInput['selection'];
  transforms: Transforms;
  existingResources: RestoreInput['existingResources'];
  persistentVolumes: RestoreVolumeOptions;
}

async function prepare(scope: TenantScope, input: RestoreInput): Promise<PreparedDefinition> {
  checkLabels(input.selection.labels, 'body.selection.labels');
  checkTransforms(input.transforms, 'body.transforms');
  checkNotProtected(input.selection.namespaces, 'body.selection.namespaces');
  const recoveryPoint = await requireReference(scope, recoveryPoints, input.recoveryPointId, 'body.recoveryPointId', 'recovery point');
  await requireReference(scope, clusters, input.targetClusterId, 'body.targetClusterId', 'cluster');
  checkGranularSelection(input.selection, recoveryPoint, 'body.selection');
  for (const [index, namespace] of input.selection.namespaces.entries()) {
    if (!recoveryPoint.contents.namespaces.includes(namespace)) {
      throw fieldProblem(`body.selection.namespaces.${index}`, `the recovery point holds no namespace "${namespace}"`);
    }
  }
  const restored = input.selection.namespaces.length > 0 ? input.selection.namespaces : recoveryPoint.contents.namespaces;
  checkRenamedNotProtected(input.transforms, restored, 'body.transforms');
  const hooks: HookSlot[] = [
    { phase: 'POST_RESTORE', field: 'body.hooks.postRestore', type: 'POST_RESTORE', hookIds: input.hooks.postRestore },
  ];
  await checkHookSlots(scope, hooks);
  const spec: RestoreSpec = {
    selection: input.selection,
    transforms: input.transforms,
    existingResources: input.existingResources,
    persistentVolumes: input.persistentVolumes,
  };
  return {
    columns: definitionColumns({
      name: input.name,
      clusterId: input.targetClusterId,
      recoveryPointId: input.recoveryPointId,
      spec,
      tags: input.tags,
      notifications: input.notifications,
    }),
    hooks,
  };
}

export const restoreKind: DefinitionKindSpec<typeof RestoreInput, typeof Restore> = {
  kind: 'RESTORE',
  path: '/restores',
  what: 'restore',
  tag: 'restores',
  input: RestoreInput,
  output: Restore,
  prepare,
  afterCreate: (scope, row, input, context) => startRunIfAsked(scope, context, row, input),
  toApi(row, hooks) {
    const spec = row.spec as unknown as RestoreSpec;
    return {
      ...definitionMeta(row),
      recoveryPointId: row.recoveryPointId,
      targetClusterId: definitionClusterId(row),
      ...spec,
      hooks: { postRestore: hooks.get('POST_RESTORE') ?? [] },
    };
  },
};
