import { proxyActivities } from '@temporalio/workflow';

/** One trivial activity after another on `taskQueue`: what is measured is the round trip of each task. */
export async function pingWorkflow(input: { taskQueue: string; count: number; payloadBytes: number }): Promise<void> {
  const agent = proxyActivities<{ ping(body: string): Promise<string> }>({ taskQueue: input.taskQueue, startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });
  const body = 'x'.repeat(input.payloadBytes);
  for (let i = 0; i < input.count; i++) await agent.ping(body);
}
