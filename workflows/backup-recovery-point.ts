import { uuid4 } from '@temporalio/workflow';
import type { JobEnd } from '../activities/control/jobs.js';
import type { RecoveryPointRecord } from '../activities/control/recovery-points.js';
import type { BackupRunInput } from '../lib/domain/runs/backup-run.js';
import type { ExportResourcesResult, HookReportMessage } from '../proto/agent/index.js';
import type { VolumeCopy } from './backup-copy.js';
import { copiedVolumes, copyTotals, summarizeCopy } from './backup-copy-summary.js';
import type { BackupScope, VolumeMode } from './backup-scope.js';
import { protectedVolumes, summarize, type RunSummary } from './backup-summary.js';
import { withRetainedContents, type VolumeOutcome } from './backup-volumes.js';

/** What a run that got to the end protected: the exported resources, and its PVs' snapshots or copies. */
export interface BackupResult {
  exported: ExportResourcesResult;
  mode: VolumeMode;
  scope: BackupScope;
  volumes: readonly VolumeOutcome[];
  copies: readonly VolumeCopy[];
  hookReports: readonly HookReportMessage[];
}

/** How the run reads on its job: COMPLETED or PARTIAL, the message and the errors. */
export function backupSummary(result: BackupResult): RunSummary {
  const { exported, scope, hookReports } = result;
  return result.mode.copyMode
    ? summarizeCopy(exported, scope.selection, result.copies, hookReports, scope.podVolumes)
    : summarize(exported, { outcomes: result.volumes, unsupported: scope.unsupported }, hookReports, scope.podVolumes);
}

/**
 * The recovery point the run records, under an id chosen here so a retried insert is a no-op: its
 * resources snapshot and the PVs it protects (kept snapshots, or copies with any preserved snapshot).
 */
export function recoveryPointRecord(input: BackupRunInput, result: BackupResult): RecoveryPointRecord {
  const { plan } = input;
  const { exported, mode, volumes, copies } = result;
  return {
    recoveryPointId: uuid4(),
    orgId: input.orgId,
    jobId: input.jobId,
    type: input.recoveryPointType,
    clusterId: input.clusterId,
    definitionId: input.definitionId,
    definitionName: input.definitionName,
    storageTargetId: input.storageTargetId,
    retention: input.retention,
    snapshotRetentionDays: mode.copyMode && plan.copy.preserveSnapshots ? plan.copy.snapshotRetentionDays : null,
    resourcesSnapshotId: exported.snapshotId,
    namespaces: exported.namespaces,
    resourceCount: exported.resourceCount,
    sizeBytes: exported.bytes + copyTotals(copies).bytes,
    persistentVolumes: withRetainedContents(mode.copyMode ? copiedVolumes(copies, plan.copy.preserveSnapshots) : protectedVolumes(volumes), volumes),
  };
}

/** The job's end once the point is recorded: the summary, and what the export and the copies moved. */
export function completedJob(job: { orgId: string; jobId: string }, summary: RunSummary, result: BackupResult): JobEnd {
  const copied = copyTotals(result.copies);
  return {
    ...job,
    status: summary.status,
    message: summary.message,
    bytesTransferred: result.exported.bytesStored + copied.newBytesStored,
    filesTransferred: result.exported.files + copied.files,
    ...(summary.errors.length > 0 ? { errors: summary.errors } : {}),
  };
}
