import { ApplicationFailure } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportResourcesResult } from '../../proto/agent/index.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { clusters } from '../../lib/db/schema/index.js';
import { AGENT_LIVENESS_WINDOW_MS } from '../../lib/domain/cluster-status.js';
import { progressQuery } from '../../workflows/backup-progress.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive } from './helpers/runs.js';
import { stackControlActivities } from './helpers/stack-control.js';

let stack: BackupStack;

beforeAll(async () => {
  stack = await startBackupStack();
});

afterAll(async () => {
  await stack?.close();
});

/** A stand-in agent whose export signals when it starts and returns what the test releases. */
async function blockingAgent(clusterId: string) {
  let entered!: () => void;
  const exportEntered = new Promise<void>((resolve) => (entered = resolve));
  let release!: (result: ExportResourcesResult) => void;
  const released = new Promise<ExportResourcesResult>((resolve) => (release = resolve));
  const worker = stack.track(
    await Worker.create({
      connection: await stack.agentConnection(clusterId),
      namespace: stack.api.config.workflowEngine!.namespace,
      taskQueue: clusterTaskQueue(clusterId),
      activities: {
        async exportResourcesToRepository(): Promise<ExportResourcesResult> {
          entered();
          return released;
        },
      },
    }),
  );
  await untilClusterActive(stack.client, clusterId);
  return { worker, exportEntered, release };
}

const FAKE_RESULT: ExportResourcesResult = { version: 1, snapshotId: 'f'.repeat(64), resourceCount: 3, namespaces: ['shop'], files: 4, bytes: 100, bytesStored: 100 };

/**
 * A resources-only definition on a fresh cluster: the stand-in agents here answer the export alone (a PV
 * run would also scan claims and clean up mover pods). Nothing is exported, so the target is never reached.
 */
async function definitionOnNewCluster(): Promise<{ clusterId: string; definitionId: string }> {
  const clusterId = (await createCluster(stack.client)).id;
  const target = await createS3Target(stack.client);
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, { persistentVolumes: { include: false }, advanced: { destinationStorageTargetId: target.id } })
  ).id;
  return { clusterId, definitionId };
}

describe('skip checks', () => {
  it('skips with the reason when no agent polls the cluster\'s queue', async () => {
    const { clusterId, definitionId } = await definitionOnNewCluster();
    const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    expect(job.status).toBe('SKIPPED');
    expect(job.skipReason).toBe(
      `agent not connected: no agent has polled ${clusterTaskQueue(clusterId)}; install the agent with the manifest from the cluster's registration`,
    );
    expect(job.message).toBe(`Skipped: ${job.skipReason}`);
    expect(job.endedAt).not.toBeNull();
    const progress = await stack.temporal.workflow.getHandle(job.workflowId).query(progressQuery);
    expect(progress.step).toBe('SKIPPED');
  });

  it('counts the poll it saw last as a sign of life: a restarted Temporal forgets its pollers, not the agent', async () => {
    // A fresh cluster's queue has no poller, which is what a Temporal server shows after a restart.
    const { clusterId } = await definitionOnNewCluster();
    const control = stackControlActivities(stack);
    const seen = new Date(Date.now() - 30_000);
    await stack.api.running.database.db.update(clusters).set({ agentLastSeenAt: seen }).where(eq(clusters.id, clusterId));
    expect(await control.agentNotConnectedReason({ clusterId })).toBeNull();

    const gone = new Date(Date.now() - AGENT_LIVENESS_WINDOW_MS - 60_000);
    await stack.api.running.database.db.update(clusters).set({ agentLastSeenAt: gone }).where(eq(clusters.id, clusterId));
    expect(await control.agentNotConnectedReason({ clusterId })).toBe(
      `agent not connected: the cluster's agent last polled ${clusterTaskQueue(clusterId)} at ${gone.toISOString()}`,
    );
  });

  it('keeps the poll it sees in the cluster\'s row, never moving it back', async () => {
    const { clusterId } = await definitionOnNewCluster();
    const agent = await blockingAgent(clusterId);
    const before = Date.now();
    expect(await stackControlActivities(stack).agentNotConnectedReason({ clusterId })).toBeNull();
    const lastSeen = async () =>
      (await stack.api.running.database.db.select({ at: clusters.agentLastSeenAt }).from(clusters).where(eq(clusters.id, clusterId)))[0]!.at;
    const recorded = await lastSeen();
    expect(recorded).not.toBeNull();
    expect(before - recorded!.getTime()).toBeLessThan(AGENT_LIVENESS_WINDOW_MS);

    const later = new Date(Date.now() + 60_000);
    await stack.api.running.database.db.update(clusters).set({ agentLastSeenAt: later }).where(eq(clusters.id, clusterId));
    expect(await stackControlActivities(stack).agentNotConnectedReason({ clusterId })).toBeNull();
    expect(await lastSeen()).toEqual(later);
    agent.release(FAKE_RESULT);
    await agent.worker.stop();
  });

  it('skips a second run of a definition while the first one is still running', async () => {
    const { clusterId, definitionId } = await definitionOnNewCluster();
    const agent = await blockingAgent(clusterId);

    const first = await runNow(stack.client, definitionId);
    await agent.exportEntered;
    const second = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    expect(second.status).toBe('SKIPPED');
    expect(second.skipReason).toBe(
      `the same definition is already running: job ${first.id} (workflow ${first.workflowId}), started ${first.startedAt}`,
    );
    expect((await stack.temporal.workflow.getHandle(first.workflowId).query(progressQuery)).step).toBe('EXPORTING_RESOURCES');

    agent.release(FAKE_RESULT);
    const finished = await jobAfterRun(stack.client, stack.temporal, first);
    expect(finished.status).toBe('COMPLETED');
    expect(finished.message).toBe('Backed up 3 resources from 1 namespaces');
    await agent.worker.stop();
  });

  it('ignores a RUNNING job whose workflow no longer runs (terminated from outside)', async () => {
    const { clusterId, definitionId } = await definitionOnNewCluster();
    const stale = await runNow(stack.client, definitionId);
    await stack.temporal.workflow.getHandle(stale.workflowId).terminate('test: leave the job RUNNING');
    let calls = 0;
    stack.track(
      await Worker.create({
        connection: await stack.agentConnection(clusterId),
        namespace: stack.api.config.workflowEngine!.namespace,
        taskQueue: clusterTaskQueue(clusterId),
        activities: {
          async exportResourcesToRepository(): Promise<ExportResourcesResult> {
            calls += 1;
            throw ApplicationFailure.nonRetryable('stand-in agent: export reached', 'TEST');
          },
        },
      }),
    );
    await untilClusterActive(stack.client, clusterId);
    const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    expect(job.status).toBe('FAILED');
    expect(job.message).toBe('Exporting resources failed: stand-in agent: export reached');
    expect(calls).toBe(1);
  });
});

describe('cancel from the API', () => {
  it('ends a running job CANCELLED and records no recovery point', async () => {
    const { clusterId, definitionId } = await definitionOnNewCluster();
    const agent = await blockingAgent(clusterId);
    const job = await runNow(stack.client, definitionId);
    await agent.exportEntered;
    expectStatus(await stack.client.post(`/jobs/${job.id}/actions/cancel`), 202);
    const cancelled = await jobAfterRun(stack.client, stack.temporal, job);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.message).toBe('Cancelled on request');
    expect(cancelled.endedAt).not.toBeNull();
    const points = expectStatus<{ items: { jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
    expect(points.items.filter((point) => point.jobId === job.id)).toEqual([]);
    // A cancelled job cannot be cancelled again.
    expect((await stack.client.post(`/jobs/${job.id}/actions/cancel`)).statusCode).toBe(409);
    agent.release(FAKE_RESULT);
    await agent.worker.stop();
  });
});
