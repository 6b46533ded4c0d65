import { ApplicationFailure } from '@temporalio/common';
import { Value } from '@sinclair/typebox/value';
import { CopyOptions, PersistentVolumeOptions, RestoreVolumeOptions, Selection } from '../../../lib/domain/definitions/options.js';
import { backupPlan as planOf, type BackupPlan, type CopyPlan } from '../../../lib/domain/runs/backup-plan.js';
import type { BackupRunInput } from '../../../lib/domain/runs/backup-run.js';
import type { BackupVolume, ExportResourcesResult, HookDefinitionMessage, HookReportMessage, RepositoryAccess, RunHookResult } from '../../../proto/agent/index.js';

/** Canned inputs and answers for the mocked activities: plain values typed against the real messages. */

export const ORG = 'org-1';
export const SOURCE = 'cluster-a';
export const DESTINATION = 'cluster-b';

export const repository: RepositoryAccess = { storageTargetId: 'target-1', location: '/tmp/not-used', secret: 'not-a-real-secret-0123456789' };

/** A backup definition's plan with every option at its default, built as a run builds it. */
function defaultPlan(): BackupPlan {
  const { destinationStorageTargetId: _, ...advanced } = Value.Default(CopyOptions, {}) as CopyOptions;
  return planOf({ selection: Value.Default(Selection, {}) as Selection, persistentVolumes: Value.Default(PersistentVolumeOptions, {}) as PersistentVolumeOptions, advanced });
}

export const backupPlan = (mode: BackupPlan['persistentVolumes']['mode'], copy: Partial<CopyPlan> = {}): BackupPlan => {
  const plan = defaultPlan();
  return { ...plan, persistentVolumes: { include: true, mode }, copy: { ...plan.copy, ...copy } };
};

/** A restore's volume options at their defaults. */
export const restoreVolumes = (overrides: Partial<RestoreVolumeOptions> = {}): RestoreVolumeOptions => ({ ...(Value.Default(RestoreVolumeOptions, {}) as RestoreVolumeOptions), ...overrides });

export function backupInput(jobId: string, plan: BackupPlan): BackupRunInput {
  return {
    orgId: ORG,
    jobId,
    definitionId: 'definition-1',
    definitionName: 'shop',
    clusterId: SOURCE,
    storageTargetId: repository.storageTargetId,
    retention: { days: 7, safeLock: false },
    recoveryPointType: plan.persistentVolumes.mode === 'SNAPSHOT_ONLY' ? 'SNAPSHOT' : 'COPY',
    selection: { scope: 'SELECTED_NAMESPACES', namespaces: ['shop'], excludedNamespaces: [], resourceTypes: [], labels: { requirements: [] } },
    plan,
  };
}

/** A bound claim; `snapshotClass` makes it snapshottable. */
export function volume(claim: string, overrides: Partial<BackupVolume> = {}): BackupVolume {
  return {
    namespace: 'shop',
    claim,
    storageClass: 'fast',
    volumeName: `pv-${claim}`,
    volumeMode: 'Filesystem',
    sizeBytes: 1_000_000,
    driver: 'hostpath.csi.k8s.io',
    snapshotClass: 'csi-snapclass',
    attached: true,
    ...overrides,
  };
}

export const exported: ExportResourcesResult = { version: 1, snapshotId: 'resources-snap', resourceCount: 12, namespaces: ['shop'], files: 12, bytes: 4096, bytesStored: 2048 };

export function hook(name: string, type: HookDefinitionMessage['type'], onError: HookDefinitionMessage['onError'] = 'FAIL'): HookDefinitionMessage {
  return { name, type, command: ['sh', '-c', `echo ${name}`], podSelector: 'app:db', namespaces: [], container: null, timeoutSeconds: 30, onError };
}

export function hookSucceeded(hookDefinition: HookDefinitionMessage): RunHookResult {
  return { version: 1, report: report(hookDefinition, 'SUCCEEDED', 0) };
}

/** What the agent throws for a FAIL hook that failed: HOOK_FAILED, non-retryable, the report (with the pod's stderr tail) in its details. */
export function hookFailure(hookDefinition: HookDefinitionMessage, message: string, stderrTail = ''): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'HOOK_FAILED', nonRetryable: true, details: [report(hookDefinition, 'FAILED', 3, stderrTail)] });
}

function report(h: HookDefinitionMessage, verdict: HookReportMessage['verdict'], exitCode: number, stderrTail = ''): HookReportMessage {
  return {
    hook: h.name,
    type: h.type,
    onError: h.onError,
    namespaces: ['shop'],
    verdict,
    outcomes: [{ namespace: 'shop', pod: 'db-0', container: 'db', status: verdict === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED', exitCode, stdoutTail: '', stderrTail, durationMs: 5 }],
  };
}

