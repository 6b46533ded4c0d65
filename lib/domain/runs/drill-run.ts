import type { RestoreVolumeOptions } from '../definitions/options.js';

/**
 * One restore drill, resolved before the start: the recovery point (chosen, or the backup definition's
 * latest when the run starts) and where its scratch copy goes. The drill's job is `jobId`; its restore
 * records a job of its own (kind RESTORE, same definition), so the drill's job only ever ends once.
 */
export interface DrillRunInput {
  orgId: string;
  jobId: string;
  drillId: string;
  drillName: string;
  recoveryPointId: string;
  targetClusterId: string;
  namespacePrefix: string;
  readinessTimeoutMinutes: number;
  persistentVolumes: RestoreVolumeOptions;
}

export interface DrillOutcome {
  result: 'PASSED' | 'FAILED';
  differences: number;
}

/** The restore a drill runs as its child: named after the drill's run, so a person finds both together. */
export function drillRestoreWorkflowId(drillWorkflowId: string): string {
  return `${drillWorkflowId}-restore`;
}
