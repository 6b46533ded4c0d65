import { clusters, policies, storageTargets, definitionClusterId } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { requireReference } from '../references.js';
import { checkSafeLockDestination, lookUpDestination } from '../../../../lib/run-start/destination-lookup.js';
import { checkHookSlots } from '../definitions/hook-slots.js';
import type { HookSlot } from '../definitions/hook-slots.js';
import { definitionMeta } from '../definitions/kind.js';
import type { DefinitionKindSpec } from '../definitions/kind.js';
import { checkCopyOptions, checkPersistentVolumes, checkSelection } from '../definitions/parts-rules.js';
import type { CopyOptions, PersistentVolumeOptions, Selection } from '../../../../lib/domain/definitions/options.js';
import { definitionColumns, type PreparedDefinition } from '../definitions/store.js';
import { startRunIfAsked } from '../definitions/start-run.js';
import { policyChangeWeakening, policyUsesSafeLock, stopWeakening } from './protection.js';
import { BackupDefinition, BackupDefinitionInput } from './schema.js';

interface BackupSpec {
  selection: Selection;
  persistentVolumes: PersistentVolumeOptions;
  advanced: Omit<CopyOptions, 'destinationStorageTargetId'>;
}

function hookSlots(input: BackupDefinitionInput): HookSlot[] {
  return [
    { phase: 'PRE_BACKUP', field: 'body.hooks.preBackup', type: 'PRE_BACKUP', hookIds: input.hooks.preBackup },
    { phase: 'POST_BACKUP', field: 'body.hooks.postBackup', type: 'POST_BACKUP', hookIds: input.hooks.postBackup },
  ];
}

async function prepare(scope: TenantScope, input: BackupDefinitionInput): Promise<PreparedDefinition> {
  checkSelection(input.selection, 'body.selection');
  checkPersistentVolumes(input.persistentVolumes, 'body.persistentVolumes');
  checkCopyOptions(input.advanced, 'body.advanced');
  await requireReference(scope, clusters, input.clusterId, 'body.clusterId', 'cluster');
  if (input.policyId) await requireReference(scope, policies, input.policyId, 'body.policyId', 'policy');
  const { destinationStorageTargetId, ...advanced } = input.advanced;
  if (destinationStorageTargetId) {
    await requireReference(scope, storageTargets, destinationStorageTargetId, 'body.advanced.destinationStorageTargetId', 'storage target');
  }
  const hooks = hookSlots(input);
  await checkHookSlots(scope, hooks);
  if (await policyUsesSafeLock(scope, input.policyId)) {
    const destination = await lookUpDestination(scope, { storageTargetId: destinationStorageTargetId, clusterId: input.clusterId });
    await checkSafeLockDestination(scope, destination, 'body.advanced.destinationStorageTargetId');
  }
  const spec: BackupSpec = { selection: input.selection, persistentVolumes: input.persistentVolumes, advanced };
  return {
    columns: definitionColumns({
      name: input.name,
      clusterId: input.clusterId,
      policyId: input.policyId,
      storageTargetId: destinationStorageTargetId,
      spec,
      tags: input.tags,
      notifications: input.notifications,
    }),
    hooks,
  };
}

export const backupDefinitionKind: DefinitionKindSpec<typeof BackupDefinitionInput, typeof BackupDefinition> = {
  kind: 'BACKUP',
  path: '/backup-definitions',
  what: 'backup definition',
  tag: 'backup-definitions',
  input: BackupDefinitionInput,
  output: BackupDefinition,
  prepare,
  async afterCreate(scope, row, input, context) {
    if (!input.runNow) {
      if (input.runNowRetentionDays !== undefined) throw fieldProblem('body.runNowRetentionDays', 'applies only with runNow: true');
      return;
    }
    // Checked here rather than by the run, whose message names the run action's own field.
    if (!row.policyId && input.runNowRetentionDays === undefined) {
      throw fieldProblem('body.runNowRetentionDays', 'is required with runNow: the definition has no policy to take a retention from');
    }
    await startRunIfAsked(scope, context, row, input, { retentionDays: input.runNowRetentionDays });
  },
  adminToReplace: (scope, stored, next) => policyChangeWeakening(scope, stored, next.policyId),
  adminToStop: stopWeakening,
  toApi(row, hooks) {
    const spec = row.spec as unknown as BackupSpec;
    return {
      ...definitionMeta(row),
      clusterId: definitionClusterId(row),
      policyId: row.policyId,
      selection: spec.selection,
      persistentVolumes: spec.persistentVolumes,
      advanced: { ...spec.advanced, destinationStorageTargetId: row.storageTargetId },
      hooks: { preBackup: hooks.get('PRE_BACKUP') ?? [], postBackup: hooks.get('POST_BACKUP') ?? [] },
    };
  },
};
