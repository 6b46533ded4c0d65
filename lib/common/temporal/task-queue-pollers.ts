import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { isGatewayPollerOf } from './names.js';

// A CommonJS package: Node's ESM loader cannot see its named exports (tsx and vitest can, which hides it).
const { temporal } = proto;

/**
 * When `principal` last polled a queue for activity tasks through the gateway, per Temporal's
 * DescribeTaskQueue; undefined when no such poller is known. This is how an agent's liveness is read:
 * no second channel to the cluster, and a poller the gateway did not authenticate does not count.
 */
export async function lastActivityPollTime(client: Client, namespace: string, taskQueue: string, principal: string): Promise<Date | undefined> {
  const response = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  let latest: Date | undefined;
  for (const poller of response.pollers ?? []) {
    if (!isGatewayPollerOf(principal, poller.identity)) continue;
    const seconds = poller.lastAccessTime?.seconds;
    if (seconds === undefined || seconds === null) continue;
    const at = new Date(Number(seconds) * 1000 + Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6));
    if (!latest || at > latest) latest = at;
  }
  return latest;
}
