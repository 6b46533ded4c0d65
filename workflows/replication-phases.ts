import type { SearchAttributePair } from '@temporalio/common';
import { executeChild } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../lib/common/temporal/names.js';
import type { BackupRunInput } from '../lib/domain/runs/backup-run.js';
import { recoveryPointDeletionWorkflowId } from '../lib/domain/runs/recovery-point-deletion.js';
import type { ReplicationRunInput } from '../lib/domain/runs/replication-run.js';
import type { RestoreRunInput } from '../lib/domain/runs/restore-run.js';
import { rootCauseMessage } from './failure-message.js';
import { deleteRecoveryPointWorkflow } from './recovery-point-delete.js';
import type { ReplicaNamespaces } from './replication-namespaces.js';

/**
 * The temporary recovery point's retention: the shortest there is. Every run deletes its point at the
 * end; should that fail, expiry removes it a day later (SafeLock never applies to replication).
 */
export const TEMPORARY_POINT_RETENTION = { days: 1, safeLock: false } as const;

/** A phase's child run: its workflow id, its own job, and the search attributes it is found by in the Temporal UI. */
export interface PhaseRun {
  childId: string;
  jobId: string;
  searchAttributes: SearchAttributePair[];
}

/** Each phase is a child run with a job of its own, found in the Temporal UI like any run of its kind. */
export async function openPhase(control: ControlActivities, input: ReplicationRunInput, workflowId: string, phase: 'BACKUP' | 'RESTORE', clusterId: string): Promise<PhaseRun> {
  const childId = `${workflowId}-${phase.toLowerCase()}`;
  const { jobId } = await control.openPhaseJob({ orgId: input.orgId, jobId: input.jobId, phase, workflowId: childId, clusterId });
  const searchAttributes = [
    { key: CLUSTER_ID_ATTRIBUTE, value: clusterId },
    { key: DEFINITION_ID_ATTRIBUTE, value: input.definitionId },
    { key: KIND_ATTRIBUTE, value: phase },
  ];
  return { jobId, childId, searchAttributes };
}

/** The backup phase: the source into the temporary storage, as a copy with the source hooks (the definition's backup plan). */
export function backupPhaseInput(input: ReplicationRunInput, jobId: string): BackupRunInput {
  return {
    orgId: input.orgId,
    jobId,
    definitionId: input.definitionId,
    definitionName: input.definitionName,
    clusterId: input.sourceClusterId,
    storageTargetId: input.storageTargetId,
    retention: TEMPORARY_POINT_RETENTION,
    recoveryPointType: 'COPY',
    selection: input.selection,
    plan: input.backupPlan,
  };
}

/** The restore phase: the temporary point into the destination namespaces, with the destination's hooks and PV options. */
export function restorePhaseInput(input: ReplicationRunInput, jobId: string, recoveryPointId: string, namespaces: ReplicaNamespaces): RestoreRunInput {
  return {
    orgId: input.orgId,
    jobId,
    // The restore reads its hooks from this id, bound to the replication's destination side.
    restoreId: input.definitionId,
    postRestoreHookPhase: 'DESTINATION_POST_RESTORE',
    persistentVolumes: input.restoreVolumes,
    restoreName: input.definitionName,
    recoveryPointId,
    targetClusterId: input.destinationClusterId,
    // The backup already applied the definition's types and labels.
    selection: { namespaces: Object.keys(namespaces.mapping), resourceTypes: [], labels: '' },
    transforms: input.transforms,
    // The namespaces are new; what exists outside them (a CRD, a cluster role) is never changed.
    existingResources: 'SKIP',
  };
}

/** The temporary point and its repository snapshots, through the recovery-point deletion run; null when gone (or never made), else why not. */
export async function removeTemporaryPoint(orgId: string, recoveryPointId: string | undefined): Promise<string | null> {
  if (!recoveryPointId) return null;
  try {
    await executeChild(deleteRecoveryPointWorkflow, {
      workflowId: recoveryPointDeletionWorkflowId(orgId, recoveryPointId),
      args: [{ orgId, recoveryPointId, scope: 'ALL', cause: 'REQUESTED' }],
    });
    return null;
  } catch (error) {
    return `the temporary recovery point ${recoveryPointId} could not be deleted (it expires in ${TEMPORARY_POINT_RETENTION.days} day): ${rootCauseMessage(error)}`;
  }
}
