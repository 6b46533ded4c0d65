import { Worker, type NativeConnection } from '@temporalio/worker';
import { moverActivities } from '../../activities/mover/mover-activities.js';
import type { MoverConfig } from './config.js';

/**
 * A data-mover pod's worker: activities only, on the pod's own queue, one task at a time (the pod
 * holds one volume). It holds no payload key (the gateway opens and seals its payloads), and its
 * progress travels in its heartbeats: the gateway lets it do nothing else.
 */
export async function createMoverWorker(connection: NativeConnection, config: MoverConfig): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.gateway.namespace,
    taskQueue: config.taskQueue,
    activities: moverActivities({
      dataPath: config.dataPath,
      memoryLimitMiB: config.memoryLimitMiB,
      ...(config.hostVolume ? { hostVolume: config.hostVolume } : {}),
    }),
    maxConcurrentActivityTaskExecutions: 1,
    // A checkpoint is worth keeping only once Temporal has it: the SDK would otherwise hold heartbeats back
    // for up to 80% of the heartbeat timeout, and a mover killed meanwhile would resume from an older one.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
  });
}
