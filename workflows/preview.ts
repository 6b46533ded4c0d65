import { proxyActivities } from '@temporalio/workflow';
import type { ClusterPreviewActivities } from '../activities/cluster/export/preview-backup.js';
import type { PreviewBackupRequest, PreviewBackupResult } from '../proto/agent/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';

export interface PreviewBackupInput {
  clusterId: string;
  request: PreviewBackupRequest;
  /** How long a person waits for the answer; the agent must pick the work up and finish within it. */
  timeoutMs: number;
}

/**
 * One step: ask the cluster's agent what a definition would back up. A single attempt: the caller is
 * an HTTP request that answers 504 at the bound rather than have the preview retried behind it.
 */
export async function previewBackupWorkflow(input: PreviewBackupInput): Promise<PreviewBackupResult> {
  const agent = proxyActivities<ClusterPreviewActivities>({
    taskQueue: clusterTaskQueue(input.clusterId),
    scheduleToCloseTimeout: input.timeoutMs,
    retry: { maximumAttempts: 1 },
  });
  return agent.previewBackup(input.request);
}
