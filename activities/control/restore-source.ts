import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, inArray } from 'drizzle-orm';
import type { HookDefinitionMessage } from '../../proto/agent/index.js';
import type { CopyOptions, RestoreVolumeOptions } from '../../services/api/resources/definitions/parts-schema.js';
import {
  DEFAULT_CONCURRENT_PVS,
  DEFAULT_DATA_MOVER_MEMORY_MIB,
  DEFAULT_DATA_MOVER_POD_TIMEOUT_MINUTES,
  DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES,
} from '../../services/api/resources/definitions/parts-schema.js';
import { definitions, recoveryPoints } from '../../lib/db/schema/index.js';
import type { StoredRecoveryPointVolume } from '../../lib/db/schema/recovery-points.js';
import { definitionHooks } from './backup-plan.js';
import type { ControlDeps } from './deps.js';
import type { RecordedContents } from './recovery-points.js';

export interface RestoreSource {
  storageTargetId: string;
  /** The datamover snapshot of the recovery point's resources. */
  resourcesSnapshotId: string;
  /** Namespaces the point holds, for the job's message. */
  namespaces: string[];
  /** The PVs the point protects, each with where its data is (a CSI snapshot, or a copy). */
  persistentVolumes: StoredRecoveryPointVolume[];
}

/** What a restore run does beyond resources: its post-restore hooks and how PV data is brought back. */
export interface RestorePlan {
  postRestoreHooks: HookDefinitionMessage[];
  persistentVolumes: RestoreVolumeOptions;
}

/**
 * Where a restore reads from: the recovery point row keeps the storage target and, in its contents, the
 * resources snapshot id (which the API never shows). Read when the run starts, not when the restore was
 * saved, so a point that expired in between fails the run plainly. The restore's hooks are read the same
 * way, so the run uses them as they are when it starts.
 */
export function restoreSourceActivities(deps: ControlDeps) {
  return {
    async resolveRestoreSource(input: { orgId: string; recoveryPointId: string }): Promise<RestoreSource> {
      const [point] = await deps.db
        .select()
        .from(recoveryPoints)
        .where(and(eq(recoveryPoints.orgId, input.orgId), eq(recoveryPoints.id, input.recoveryPointId)));
      if (!point) throw ApplicationFailure.nonRetryable(`recovery point ${input.recoveryPointId} no longer exists (it expired or was deleted)`, 'RECOVERY_POINT_NOT_FOUND');
      const contents = point.contents as Partial<RecordedContents>;
      if (!contents.resourcesSnapshotId) {
        throw ApplicationFailure.nonRetryable(`recovery point ${point.id} records no resources snapshot, so it has nothing to restore`, 'RECOVERY_POINT_EMPTY');
      }
      return {
        storageTargetId: point.storageTargetId,
        resourcesSnapshotId: contents.resourcesSnapshotId,
        namespaces: contents.namespaces ?? [],
        persistentVolumes: contents.persistentVolumes ?? [],
      };
    },

    async resolveRestorePlan(input: { orgId: string; restoreId: string }): Promise<RestorePlan> {
      const [row] = await deps.db
        .select({ spec: definitions.spec, kind: definitions.kind })
        .from(definitions)
        .where(and(eq(definitions.orgId, input.orgId), eq(definitions.id, input.restoreId), inArray(definitions.kind, ['RESTORE', 'REPLICATION'])));
      if (!row) throw ApplicationFailure.nonRetryable(`restore ${input.restoreId} no longer exists`, 'DEFINITION_NOT_FOUND');
      // A replication's restore is its destination side: its PV options are the definition's copy options.
      const replication = row.kind === 'REPLICATION';
      const spec = row.spec as { persistentVolumes?: Partial<RestoreVolumeOptions>; advanced?: Partial<CopyOptions> };
      const stored: Partial<RestoreVolumeOptions> = replication ? { ...replicaVolumeOptions(spec.advanced ?? {}), include: spec.persistentVolumes?.include ?? true } : (spec.persistentVolumes ?? {});
      return {
        postRestoreHooks: await definitionHooks(deps, input.orgId, input.restoreId, replication ? 'DESTINATION_POST_RESTORE' : 'POST_RESTORE'),
        persistentVolumes: {
          include: stored.include ?? true,
          concurrentPvs: stored.concurrentPvs ?? DEFAULT_CONCURRENT_PVS,
          totalConcurrentFiles: stored.totalConcurrentFiles ?? DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES,
          dataMoverPodTimeoutMinutes: stored.dataMoverPodTimeoutMinutes ?? DEFAULT_DATA_MOVER_POD_TIMEOUT_MINUTES,
          dataMoverMemoryLimitMiB: stored.dataMoverMemoryLimitMiB ?? DEFAULT_DATA_MOVER_MEMORY_MIB,
        },
      };
    },
  };
}

/** A replication's copy options as the restore side reads them; total concurrent files is a backup figure, so the restore keeps its own default. */
function replicaVolumeOptions(advanced: Partial<CopyOptions>): Partial<RestoreVolumeOptions> {
  return {
    ...(advanced.concurrentPvs === undefined ? {} : { concurrentPvs: advanced.concurrentPvs }),
    ...(advanced.dataMoverPodTimeoutMinutes === undefined ? {} : { dataMoverPodTimeoutMinutes: advanced.dataMoverPodTimeoutMinutes }),
    ...(advanced.dataMoverMemoryLimitMiB === undefined ? {} : { dataMoverMemoryLimitMiB: advanced.dataMoverMemoryLimitMiB }),
  };
}
