import type { Clock } from '../../../lib/common/clock.js';
import { lazyTemporalClient } from '../../../lib/common/temporal/client.js';
import type { TemporalConfig } from '../../../lib/common/temporal/config.js';
import type { OrganizationPayloadKeys } from '../../../lib/db/organization-payload-keys.js';
import type { AgentLiveness } from './agent-liveness.js';
import type { BackupPreviewer } from './backup-preview.js';
import type { ClusterInventoryReader } from './cluster-inventory.js';
import type { RunProgressReader } from './run-progress.js';
import { TemporalRunProgress } from './temporal-run-progress.js';
import { CachedAgentLiveness } from './cached-agent-liveness.js';
import { TemporalBackupPreviewer } from './temporal-backup-preview.js';
import { TemporalClusterInventory } from './temporal-cluster-inventory.js';
import { TemporalSchedules } from './temporal-schedules.js';
import { TemporalAgentLiveness } from './temporal-agent-liveness.js';
import { TemporalWorkflowLauncher } from './temporal-workflow-launcher.js';
import type { WorkflowLauncher } from './workflow-launcher.js';

export interface WorkflowEngine {
  launcher: WorkflowLauncher;
  liveness: AgentLiveness;
  previewer: BackupPreviewer;
  inventory: ClusterInventoryReader;
  runProgress: RunProgressReader;
  schedules: TemporalSchedules;
  close(): Promise<void>;
}

/**
 * The Temporal-backed seams over one client connection (with the encrypting payload codec). The
 * connection is lazy: the API starts while Temporal is down and answers 503 engine-unavailable for what
 * needs it (plugins/problem-replies.ts), instead of refusing to start.
 */
export function connectWorkflowEngine(config: TemporalConfig, payloadKeys: OrganizationPayloadKeys, clock: Clock): WorkflowEngine {
  const { client, close } = lazyTemporalClient(config, payloadKeys);
  const schedules = new TemporalSchedules(client, config.controlTaskQueue, payloadKeys);
  return {
    launcher: new TemporalWorkflowLauncher(client, config.controlTaskQueue, schedules),
    schedules,
    // Cluster lists and previews read it on every request: cached, so clients cannot turn polling into Temporal load.
    liveness: new CachedAgentLiveness(new TemporalAgentLiveness(client, config.namespace), clock),
    previewer: new TemporalBackupPreviewer(client, config.controlTaskQueue),
    inventory: new TemporalClusterInventory(client, config.controlTaskQueue),
    runProgress: new TemporalRunProgress(client),
    close,
  };
}
