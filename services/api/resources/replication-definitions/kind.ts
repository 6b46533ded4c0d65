import { clusters, policies, storageTargets, definitionClusterId } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { requireReference } from '../references.js';
import { checkHookSlots } from '../definitions/hook-slots.js';
import type { HookSlot } from '../definitions/hook-slots.js';
import { definitionMeta } from '../definitions/kind.js';
import { startRunIfAsked } from '../definitions/start-run.js';
import type { DefinitionKindSpec } from '../definitions/kind.js';
import { checkCopyOptions, checkNotProtected, checkPersistentVolumes, checkSelection, checkTransforms } from '../definitions/parts-rules.js';
import { renamedNamespace } from '../../../../lib/domain/namespace-mapping.js';
import type { CopyOptions, PersistentVolumeOptions, Selection, Transforms } from '../../../../lib/domain/definitions/options.js';
import { definitionColumns, type PreparedDefinition } from '../definitions/store.js';
import { ReplicationDefinition, ReplicationDefinitionInput } from './schema.js';

interface ReplicationSpec {
  selection: Selection;
  persistentVolumes: PersistentVolumeOptions;
  advanced: Omit<CopyOptions, 'destinationStorageTargetId'>;
  destinationNamespaces: string[];
  replaceUnmanagedNamespaces: boolean;
  transforms: Transforms;
}

function hookSlots(input: ReplicationDefinitionInput): HookSlot[] {
  return [
    { phase: 'SOURCE_PRE_BACKUP', field: 'body.hooks.sourcePreBackup', type: 'PRE_BACKUP', hookIds: input.hooks.sourcePreBackup },
    { phase: 'SOURCE_POST_BACKUP', field: 'body.hooks.sourcePostBackup', type: 'POST_BACKUP', hookIds: input.hooks.sourcePostBackup },
    {
      phase: 'DESTINATION_POST_RESTORE',
      field: 'body.hooks.destinationPostRestore',
      type: 'POST_RESTORE',
      hookIds: input.hooks.destinationPostRestore,
    },
  ];
}

/**
 * Each run deletes the destination namespaces. Replicating into the source cluster is allowed (a
 * renamed copy), but never when a destination namespace is one the run reads from.
 */
function checkNotOverwritingSource(input: ReplicationDefinitionInput): void {
  if (input.destination.clusterId !== input.sourceClusterId) return;
  const { scope, namespaces, excludedNamespaces } = input.selection;
  for (const [index, namespace] of input.destination.namespaces.entries()) {
    const isSource =
      scope === 'FULL_CLUSTER' ||
      (scope === 'SELECTED_NAMESPACES' && namespaces.includes(namespace)) ||
      (scope === 'FULL_CLUSTER_EXCEPT' && !excludedNamespaces.includes(namespace));
    if (isSource) {
      throw fieldProblem(
        `body.destination.namespaces.${index}`,
        `"${namespace}" is also replicated from on the same cluster; each run would delete the source. Rename with transforms and list the new names`,
      );
    }
  }
  if (scope === 'SELECTED_NAMESPACES') {
    for (const namespace of namespaces) {
      const target = renamedNamespace(input.transforms, namespace);
      if (target === namespace) {
        throw fieldProblem('body.transforms', `namespace "${namespace}" would be replicated onto itself; add a prefix, suffix or mapping`);
      }
    }
  }
}

async function prepare(scope: TenantScope, input: ReplicationDefinitionInput): Promise<PreparedDefinition> {
  checkSelection(input.selection, 'body.selection');
  checkPersistentVolumes(input.persistentVolumes, 'body.persistentVolumes');
  // A snapshot stays in its cluster: a replica's PV data can only travel as a copy through the temporary storage.
  if (input.persistentVolumes.mode === 'SNAPSHOT_ONLY') {
    throw fieldProblem('body.persistentVolumes.mode', 'replication copies PV data through the temporary storage; use BACKUP_TO_OBJECT_STORAGE (snapshots are still taken to read from when possible)');
  }
  checkCopyOptions(input.advanced, 'body.advanced');
  checkTransforms(input.transforms, 'body.transforms');
  // Each run deletes its destination namespaces.
  checkNotProtected(input.destination.namespaces, 'body.destination.namespaces');
  checkNotOverwritingSource(input);
  await requireReference(scope, clusters, input.sourceClusterId, 'body.sourceClusterId', 'cluster');
  await requireReference(scope, clusters, input.destination.clusterId, 'body.destination.clusterId', 'cluster');
  if (input.policyId) await requireReference(scope, policies, input.policyId, 'body.policyId', 'policy');
  const { destinationStorageTargetId, ...advanced } = input.advanced;
  if (destinationStorageTargetId) {
    await requireReference(scope, storageTargets, destinationStorageTargetId, 'body.advanced.destinationStorageTargetId', 'storage target');
  }
  const hooks = hookSlots(input);
  await checkHookSlots(scope, hooks);
  const spec: ReplicationSpec = {
    selection: input.selection,
    persistentVolumes: input.persistentVolumes,
    advanced,
    destinationNamespaces: input.destination.namespaces,
    replaceUnmanagedNamespaces: input.destination.replaceUnmanagedNamespaces,
    transforms: input.transforms,
  };
  return {
    columns: definitionColumns({
      name: input.name,
      clusterId: input.sourceClusterId,
      destinationClusterId: input.destination.clusterId,
      policyId: input.policyId,
      storageTargetId: destinationStorageTargetId,
      spec,
      tags: input.tags,
      notifications: input.notifications,
    }),
    hooks,
  };
}

export const replicationDefinitionKind: DefinitionKindSpec<typeof ReplicationDefinitionInput, typeof ReplicationDefinition> = {
  kind: 'REPLICATION',
  path: '/replication-definitions',
  what: 'replication definition',
  tag: 'replication-definitions',
  input: ReplicationDefinitionInput,
  output: ReplicationDefinition,
  prepare,
  // Kept true on every save, not only when first set: the namespaces it applies to can change with it.
  adminOnly: (input) =>
    input.destination.replaceUnmanagedNamespaces ? 'destination.replaceUnmanagedNamespaces lets runs delete namespaces Haven did not create' : undefined,
  afterCreate: (scope, row, input, context) => startRunIfAsked(scope, context, row, input),
  toApi(row, hooks) {
    const spec = row.spec as unknown as ReplicationSpec;
    return {
      ...definitionMeta(row),
      sourceClusterId: definitionClusterId(row),
      policyId: row.policyId,
      policyUsage: 'SCHEDULE_ONLY',
      selection: spec.selection,
      persistentVolumes: spec.persistentVolumes,
      advanced: { ...spec.advanced, destinationStorageTargetId: row.storageTargetId },
      destination: {
        clusterId: row.destinationClusterId as string,
        namespaces: spec.destinationNamespaces,
        // Specs saved before the option existed lack it: the default.
        replaceUnmanagedNamespaces: spec.replaceUnmanagedNamespaces ?? false,
      },
      transforms: spec.transforms,
      hooks: {
        sourcePreBackup: hooks.get('SOURCE_PRE_BACKUP') ?? [],
        sourcePostBackup: hooks.get('SOURCE_POST_BACKUP') ?? [],
        destinationPostRestore: hooks.get('DESTINATION_POST_RESTORE') ?? [],
      },
    };
  },
};
