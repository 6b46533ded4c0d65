import { parseLabelSelector } from '../../common/label-selector.js';
import type { DefinitionKind } from '../../common/enums.js';
import type { ResolvedDestination } from '../destination.js';
import type { Selection } from '../definitions/options.js';
import type { StoredBackupSpec, StoredReplicationSpec, StoredRestoreSpec } from '../definitions/stored.js';
import { backupPlan, replicationBackupPlan, replicationRestoreVolumes } from './backup-plan.js';
import type { BackupRunInput } from './backup-run.js';
import type { ReplicationRunInput } from './replication-run.js';
import type { RestoreRunInput } from './restore-run.js';

/** A definition as a run reads it: its kind, stored options and the references only that kind has. */
export type RunDefinition =
  | { kind: 'BACKUP'; spec: StoredBackupSpec }
  | { kind: 'REPLICATION'; spec: StoredReplicationSpec; destinationClusterId: string }
  | { kind: 'RESTORE'; spec: StoredRestoreSpec; recoveryPointId: string };

/** What starting a run resolved: the job it records, where its data goes and how long it is kept. */
export interface RunRequest {
  orgId: string;
  /** The job row recorded for this run; the workflow updates it. */
  jobId: string;
  /** Readable (<kind>-<definition>-<time>) and chosen before the start, so a retried start is idempotent. */
  workflowId: string;
  definitionId: string;
  definitionName: string;
  clusterId: string;
  /** Where the data goes (definition > cluster > organization); null only for restores. */
  destination: ResolvedDestination | null;
  /** Backups only: the policy schedule's, or the ad-hoc run's. */
  retention: { days: number; safeLock: boolean } | null;
}

/** One run, fully resolved: the engine starts `input` as workflow `workflowId`, and nothing else is looked up. */
export type RunStart = Pick<RunRequest, 'workflowId' | 'definitionId' | 'definitionName' | 'clusterId'> &
  ({ kind: 'BACKUP'; input: BackupRunInput } | { kind: 'REPLICATION'; input: ReplicationRunInput } | { kind: 'RESTORE'; input: RestoreRunInput });

/** The workflow input of one run; a missing destination or retention is a bug of the caller, not user input. */
export function runStart(request: RunRequest, definition: RunDefinition): RunStart {
  const { workflowId, definitionId, definitionName, clusterId } = request;
  const common = { workflowId, definitionId, definitionName, clusterId };
  switch (definition.kind) {
    case 'BACKUP':
      return { ...common, kind: 'BACKUP', input: backupRunInput(request, definition.spec) };
    case 'REPLICATION':
      return { ...common, kind: 'REPLICATION', input: replicationRunInput(request, definition.spec, definition.destinationClusterId) };
    case 'RESTORE':
      return { ...common, kind: 'RESTORE', input: restoreRunInput(request, definition.spec, definition.recoveryPointId) };
  }
}

function required<T>(value: T | null, what: string, request: RunRequest, kind: DefinitionKind): T {
  if (value === null) throw new Error(`${kind.toLowerCase()} run ${request.workflowId} has no resolved ${what}`);
  return value;
}

function backupRunInput(request: RunRequest, spec: StoredBackupSpec): BackupRunInput {
  return {
    orgId: request.orgId,
    jobId: request.jobId,
    definitionId: request.definitionId,
    definitionName: request.definitionName,
    clusterId: request.clusterId,
    storageTargetId: required(request.destination, 'destination', request, 'BACKUP').storageTargetId,
    retention: required(request.retention, 'retention', request, 'BACKUP'),
    recoveryPointType: spec.persistentVolumes.mode === 'SNAPSHOT_ONLY' ? 'SNAPSHOT' : 'COPY',
    selection: agentSelection(request.definitionId, spec.selection),
    plan: backupPlan(spec),
  };
}

/**
 * No retention: the temporary point gets the workflow's own short one, and a policy's retention and
 * SafeLock never apply to replication.
 */
function replicationRunInput(request: RunRequest, spec: StoredReplicationSpec, destinationClusterId: string): ReplicationRunInput {
  return {
    orgId: request.orgId,
    jobId: request.jobId,
    definitionId: request.definitionId,
    definitionName: request.definitionName,
    sourceClusterId: request.clusterId,
    destinationClusterId,
    destinationNamespaces: spec.destinationNamespaces,
    replaceUnmanagedNamespaces: spec.replaceUnmanagedNamespaces ?? false,
    storageTargetId: required(request.destination, 'temporary storage', request, 'REPLICATION').storageTargetId,
    selection: agentSelection(request.definitionId, spec.selection),
    transforms: spec.transforms,
    backupPlan: replicationBackupPlan(spec),
    restoreVolumes: replicationRestoreVolumes(spec),
  };
}

/** Where the recovery point's data lives (storage target, snapshot id) is read by the run itself. */
function restoreRunInput(request: RunRequest, spec: StoredRestoreSpec, recoveryPointId: string): RestoreRunInput {
  return {
    orgId: request.orgId,
    jobId: request.jobId,
    restoreId: request.definitionId,
    restoreName: request.definitionName,
    recoveryPointId,
    targetClusterId: request.clusterId,
    selection: {
      ...spec.selection,
      resources: spec.selection.resources ?? [],
      // A volume restored alone lands in its own namespace unless told otherwise; namespace transforms are for whole restores.
      volumes: (spec.selection.volumes ?? []).map((v) => ({ ...v, targetNamespace: v.targetNamespace ?? v.namespace })),
    },
    transforms: spec.transforms,
    existingResources: spec.existingResources,
    persistentVolumes: spec.persistentVolumes,
    postRestoreHookPhase: 'POST_RESTORE',
  };
}

/**
 * A selection in the agent's structured form. Labels were validated when the definition was saved,
 * so a parse failure here is a bug, not user input.
 */
export function agentSelection(definitionId: string, selection: Selection): BackupRunInput['selection'] {
  const labels = parseLabelSelector(selection.labels);
  if (!labels.ok) throw new Error(`definition ${definitionId} has invalid labels: ${labels.error.message}`);
  return {
    scope: selection.scope,
    namespaces: selection.namespaces,
    excludedNamespaces: selection.excludedNamespaces,
    resourceTypes: selection.resourceTypes,
    labels: labels.selector,
  };
}
