import { Client, Connection } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { moverActivities } from '../../activities/mover/mover-activities.js';
import type { ProgressSink } from '../../activities/mover/progress-reporter.js';
import { VOLUME_PROGRESS_SIGNAL } from '../../proto/mover/index.js';
import { havenDataConverter } from '../../lib/common/temporal/data-converter.js';
import type { MoverConfig } from './config.js';

/**
 * A data-mover pod's worker: activities only, on the pod's own queue, one task at a time (the pod
 * holds one volume). Copies report progress to their workflow with a signal through `client`.
 */
export async function createMoverWorker(connection: NativeConnection, config: MoverConfig, progress?: ProgressSink): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: moverActivities({
      dataPath: config.dataPath,
      memoryLimitMiB: config.memoryLimitMiB,
      ...(config.hostVolume ? { hostVolume: config.hostVolume } : {}),
      ...(progress ? { progress } : {}),
    }),
    maxConcurrentActivityTaskExecutions: 1,
    // A checkpoint is worth keeping only once Temporal has it: the SDK would otherwise hold heartbeats back
    // for up to 80% of the heartbeat timeout, and a mover killed meanwhile would resume from an older one.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
    dataConverter: havenDataConverter(config.payloadKeyring),
  });
}

/** Signals progress to the workflow through an encrypting client, like every other Haven client. */
export async function progressSignals(config: MoverConfig): Promise<{ sink: ProgressSink; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace, dataConverter: havenDataConverter(config.payloadKeyring) });
  return {
    sink: (workflow, value) => client.workflow.getHandle(workflow.workflowId, workflow.runId).signal(VOLUME_PROGRESS_SIGNAL, value),
    close: () => connection.close(),
  };
}
