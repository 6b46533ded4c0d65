import { ApplicationFailure } from '@temporalio/activity';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { HookDefinitionMessage } from '../../proto/agent/index.js';
import type { CopyOptions, PersistentVolumeOptions } from '../../services/api/resources/definitions/parts-schema.js';
import {
  DEFAULT_BACKUP_TOTAL_CONCURRENT_FILES,
  DEFAULT_CONCURRENT_PVS,
  DEFAULT_CSI_SNAPSHOT_TIMEOUT_MINUTES,
  DEFAULT_DATA_MOVER_MEMORY_MIB,
  DEFAULT_DATA_MOVER_POD_TIMEOUT_MINUTES,
} from '../../services/api/resources/definitions/parts-schema.js';
import { appHooks, definitions, hookBindings } from '../../lib/db/schema/index.js';
import type { ControlDeps } from './deps.js';

/** What a backup run does beyond the selection: its hooks and how its PVs are protected. */
export interface BackupPlan {
  hooks: { preBackup: HookDefinitionMessage[]; postBackup: HookDefinitionMessage[] };
  persistentVolumes: { include: boolean; mode: PersistentVolumeOptions['mode'] };
  csiSnapshotTimeoutMinutes: number;
  /** How BACKUP_TO_OBJECT_STORAGE copies PVs, the product's defaults applied. */
  copy: CopyPlan;
}

export interface CopyPlan {
  snapshotBeforeBackup: boolean;
  preserveSnapshots: boolean;
  /** Retention of preserved snapshots when shorter than the copy's; null or absent: the copy's. */
  snapshotRetentionDays?: number | null;
  backupUnsnapshottedPvs: boolean;
  methodByStorageClass: PersistentVolumeOptions['methodByStorageClass'];
  excludeUnattachedPvcs: boolean;
  snapshotMountStorageClasses: CopyOptions['snapshotMountStorageClasses'];
  concurrentPvs: number;
  totalConcurrentFiles: number;
  maxSpeedPerStreamMBps: number | null;
  dataMoverPodTimeoutMinutes: number;
  dataMoverMemoryLimitMiB: number;
}

interface StoredBackupSpec {
  persistentVolumes?: Partial<PersistentVolumeOptions>;
  advanced?: Partial<CopyOptions>;
}

/** Where a definition's hooks run: a backup's and a restore's by hook type, a replication's by side (replication-definitions/kind.ts). */
export type HookPhase = 'PRE_BACKUP' | 'POST_BACKUP' | 'POST_RESTORE' | 'SOURCE_PRE_BACKUP' | 'SOURCE_POST_BACKUP' | 'DESTINATION_POST_RESTORE';

/** A definition's app hooks of one phase, as complete definitions in the definition's order (backups and restores). */
export async function definitionHooks(deps: ControlDeps, orgId: string, definitionId: string, phase: HookPhase): Promise<HookDefinitionMessage[]> {
  const rows = await deps.db
    .select({ hook: appHooks })
    .from(hookBindings)
    .innerJoin(appHooks, and(eq(appHooks.orgId, hookBindings.orgId), eq(appHooks.id, hookBindings.hookId)))
    .where(and(eq(hookBindings.orgId, orgId), eq(hookBindings.definitionId, definitionId), eq(hookBindings.phase, phase)))
    .orderBy(asc(hookBindings.position));
  return rows.map(({ hook }) => ({
    name: hook.name,
    type: hook.type,
    command: hook.command,
    podSelector: hook.podSelector,
    namespaces: hook.namespaces,
    container: hook.container,
    timeoutSeconds: hook.timeoutSeconds,
    onError: hook.onError,
  }));
}

/**
 * Reads the definition's hooks (the app hooks its hook ids name, in the definition's order) and PV
 * options when the run starts. Hooks are resolved here rather than by the API at start so the run uses
 * the hooks as they are when it reaches them, and the agent receives complete definitions.
 */
export function backupPlanActivities(deps: ControlDeps) {
  const hooksOf = (orgId: string, definitionId: string, phase: HookPhase) => definitionHooks(deps, orgId, definitionId, phase);

  return {
    async resolveBackupPlan(input: { orgId: string; definitionId: string }): Promise<BackupPlan> {
      const [row] = await deps.db
        .select({ spec: definitions.spec, kind: definitions.kind })
        .from(definitions)
        .where(and(eq(definitions.orgId, input.orgId), eq(definitions.id, input.definitionId), inArray(definitions.kind, ['BACKUP', 'REPLICATION'])));
      if (!row) throw ApplicationFailure.nonRetryable(`backup definition ${input.definitionId} no longer exists`, 'DEFINITION_NOT_FOUND');
      const spec = row.spec as StoredBackupSpec;
      // A replication's backup is its source side; its PV data must travel to another cluster, so it is always copied.
      const replication = row.kind === 'REPLICATION';
      return {
        hooks: {
          preBackup: await hooksOf(input.orgId, input.definitionId, replication ? 'SOURCE_PRE_BACKUP' : 'PRE_BACKUP'),
          postBackup: await hooksOf(input.orgId, input.definitionId, replication ? 'SOURCE_POST_BACKUP' : 'POST_BACKUP'),
        },
        persistentVolumes: {
          include: spec.persistentVolumes?.include ?? true,
          mode: replication ? 'BACKUP_TO_OBJECT_STORAGE' : (spec.persistentVolumes?.mode ?? 'BACKUP_TO_OBJECT_STORAGE'),
        },
        csiSnapshotTimeoutMinutes: spec.advanced?.csiSnapshotTimeoutMinutes ?? DEFAULT_CSI_SNAPSHOT_TIMEOUT_MINUTES,
        copy: copyPlanOf(spec),
      };
    },
  };
}

function copyPlanOf(spec: StoredBackupSpec): CopyPlan {
  const pv = spec.persistentVolumes ?? {};
  const advanced = spec.advanced ?? {};
  return {
    snapshotBeforeBackup: pv.snapshotBeforeBackup ?? true,
    preserveSnapshots: pv.preserveSnapshots ?? false,
    snapshotRetentionDays: pv.snapshotRetentionDays ?? null,
    backupUnsnapshottedPvs: pv.backupUnsnapshottedPvs ?? true,
    methodByStorageClass: pv.methodByStorageClass ?? {},
    excludeUnattachedPvcs: advanced.excludeUnattachedPvcs ?? false,
    snapshotMountStorageClasses: advanced.snapshotMountStorageClasses ?? {},
    concurrentPvs: advanced.concurrentPvs ?? DEFAULT_CONCURRENT_PVS,
    totalConcurrentFiles: advanced.totalConcurrentFiles ?? DEFAULT_BACKUP_TOTAL_CONCURRENT_FILES,
    maxSpeedPerStreamMBps: advanced.maxSpeedPerStreamMBps ?? null,
    dataMoverPodTimeoutMinutes: advanced.dataMoverPodTimeoutMinutes ?? DEFAULT_DATA_MOVER_POD_TIMEOUT_MINUTES,
    dataMoverMemoryLimitMiB: advanced.dataMoverMemoryLimitMiB ?? DEFAULT_DATA_MOVER_MEMORY_MIB,
  };
}
