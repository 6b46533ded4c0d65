import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledRunActivities } from '../../activities/control/scheduled-runs.js';
import { scheduledRunWorkflow } from '../../workflows/schedule-run.js';
import { createCluster, createPolicy, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { untilClusterActive } from '../backup/helpers/runs.js';
import { createReplication, jobsOf, replicateNow } from './helpers/replication.js';

let stack: BackupStack;
let connected: string;
let offline: string;
let storageTargetId: string;

/** A definition between two clusters; its namespaces are never reached, since the runs stop at the checks. */
const replication = (sourceClusterId: string, destinationClusterId: string, extra: Record<string, unknown> = {}) =>
  createReplication(stack, {
    sourceClusterId,
    selection: { scope: 'SELECTED_NAMESPACES', namespaces: ['shop'] },
    advanced: { destinationStorageTargetId: storageTargetId },
    destination: { clusterId: destinationClusterId, namespaces: ['shop-replica'] },
    transforms: { namespaceSuffix: '-replica' },
    ...extra,
  });

beforeAll(async () => {
  stack = await startBackupStack();
  connected = (await createCluster(stack.client)).id;
  // Registered, but no agent ever polls its queue.
  offline = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'replication-checks');
  await stack.startAgent(connected);
  await untilClusterActive(stack.client, connected);
}, 120_000);

afterAll(() => stack?.close());

describe('a replication run that cannot reach a cluster', () => {
  it('fails before touching anything when the destination agent is offline, naming the destination', async () => {
    const definitionId = await replication(connected, offline);
    const job = await replicateNow(stack, definitionId);
    expect(job.status).toBe('FAILED');
    expect(job.message).toContain(`destination cluster ${offline}: agent not connected`);
    expect(job.message).toMatch(/^Checking both agents are connected.* failed: /);
    // No backup phase started: nothing was read from the source, nothing written to storage.
    expect((await jobsOf(stack, definitionId)).map((j) => j.kind)).toEqual(['REPLICATION']);
  });

  it('is skipped, like a backup, when the source agent is offline', async () => {
    const definitionId = await replication(offline, connected);
    const job = await replicateNow(stack, definitionId);
    expect(job.status).toBe('SKIPPED');
    expect(job.skipReason).toMatch(/^agent not connected: no agent has polled cluster\./);
  });
});

describe('a scheduled replication run', () => {
  it('resolves to the replication input, ignores the policy retention and SafeLock, and runs the replication', async () => {
    const policy = await createPolicy(stack.client, { schedules: [{ cron: '30 2 * * *', retentionDays: 7 }] });
    const definitionId = await replication(connected, offline, { policyId: policy.id });
    const deps = { db: stack.api.running.database.db, keyring: stack.api.config.keyring, installationKeyring: stack.api.config.keyring, temporal: undefined as never, clock: () => new Date() };
    const decision = await scheduledRunActivities(deps).startScheduledRun({
      orgId: stack.orgId,
      definitionId,
      kind: 'REPLICATION',
      retention: { days: 7, safeLock: true },
      workflowId: `replication-${definitionId}-scheduled`,
      runId: 'run-1',
    });
    expect(decision).toMatchObject({
      status: 'REPLICATE',
      input: { definitionId, sourceClusterId: connected, destinationClusterId: offline, destinationNamespaces: ['shop-replica'], storageTargetId },
    });
    expect(decision).not.toHaveProperty('input.retention');
    // What the schedule starts runs the replication itself: here it stops at the offline destination.
    const run = await stack.temporal.workflow.start(scheduledRunWorkflow, {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId: `replication-${definitionId}-fired`,
      args: [{ orgId: stack.orgId, definitionId, kind: 'REPLICATION', retention: { days: 7, safeLock: true } }],
    });
    await run.result().catch(() => undefined);
    const fired = (await jobsOf(stack, definitionId)).find((j) => j.workflowId === run.workflowId);
    expect(fired).toMatchObject({ kind: 'REPLICATION', status: 'FAILED' });
    expect(fired?.message).toContain(`destination cluster ${offline}: agent not connected`);
    // Its schedule lives in the shared Temporal, sealed with this file's payload key: it must not outlive the file.
    expectStatus(await stack.client.delete(`/replication-definitions/${definitionId}`), 204);
  });
});
