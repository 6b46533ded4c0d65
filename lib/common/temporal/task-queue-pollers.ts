import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// A CommonJS package: Node's ESM loader cannot see its named exports (tsx and vitest can, which hides it).
const { temporal } = proto;

/**
 * When a worker last polled a queue for activity tasks, per Temporal's DescribeTaskQueue; undefined
 * when no poller is known. This is how an agent's liveness is read: no second channel to the cluster.
 */
export async function lastActivityPollTime(client: Client, namespace: string, taskQueue: string): Promise<Date | undefined> {
  const response = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  let latest: Date | undefined;
  for (const poller of response.pollers ?? []) {
    const seconds = poller.lastAccessTime?.seconds;
    if (seconds === undefined || seconds === null) continue;
    const at = new Date(Number(seconds) * 1000 + Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6));
    if (!latest || at > latest) latest = at;
  }
  return latest;
}
