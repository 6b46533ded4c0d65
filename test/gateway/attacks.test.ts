import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOVER_TOKEN_LIFETIME_MS, mintMoverToken } from '../../lib/cluster-access/mover-token.js';
import { clusterTaskQueue, organizationWorkflowId } from '../../lib/common/temporal/names.js';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../lib/common/temporal/payload-codec.js';
import { jobs } from '../../lib/db/schema/index.js';
import { moverTaskQueue } from '../../proto/mover/index.js';
import type { previewBackupWorkflow } from '../../workflows/preview.js';
import { createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { authorized } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { uniqueName } from '../support/stack-env.js';
import { statusOf } from './helpers/grpc-status.js';

const { temporal } = proto;
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;
const DEADLINE_EXCEEDED = 4;
const RESOURCE_EXHAUSTED = 8;

const previewRequest = {
  version: 1 as const,
  selection: { scope: 'FULL_CLUSTER' as const, namespaces: [], excludedNamespaces: [], resourceTypes: [], labels: { requirements: [] } },
  persistentVolumes: { include: true, mode: 'SNAPSHOT_ONLY' as const, snapshotBeforeBackup: true, backupUnsnapshottedPvs: true, methodByStorageClass: {}, excludeUnattachedPvcs: false },
  maxNamesPerType: 1,
};

let stack: BackupStack;
let namespace: string;
/** What cluster A's install manifest gives a tenant: the gateway's address and A's token. */
let tenant: { clusterId: string; token: string; connection: Connection; client: Client };
let clusterB: string;
/** Every refused attempt with its answer, printed for the record. */
const answers: { attempt: string; status: string }[] = [];

async function connectAs(token: string): Promise<Connection> {
  return Connection.connect({ address: stack.gateway.address, apiKey: token, tls: false });
}

beforeAll(async () => {
  stack = await startBackupStack();
  namespace = stack.api.config.workflowEngine!.namespace;
  const a = await createCluster(stack.client);
  clusterB = (await createCluster(stack.client)).id;
  const connection = await connectAs(a.agentToken);
  tenant = { clusterId: a.id, token: a.agentToken, connection, client: new Client({ connection, namespace }) };
}, 120_000);

afterAll(async () => {
  console.log(['What a tenant holding cluster A\'s manifest and token tried through the gateway:', ...answers.map((a) => `  ${a.attempt}: ${a.status}`)].join('\n'));
  await tenant?.connection.close();
  await stack?.close();
});

describe('the agent gateway, attacked with one cluster\'s manifest and token', () => {
  it('answers the calls an agent needs to start', async () => {
    expect(await statusOf(() => tenant.connection.workflowService.getSystemInfo({}))).toBe(0);
    expect(await statusOf(() => tenant.connection.workflowService.describeNamespace({ namespace }))).toBe(0);
  });

  it('refuses everything else with PERMISSION_DENIED', async () => {
    const service = tenant.connection.workflowService;
    const execution = { workflowId: organizationWorkflowId(stack.orgId, uniqueName('victim')) };
    const attempts: [string, () => Promise<unknown>][] = [
      ['start a workflow on control', () => tenant.client.workflow.start('backupWorkflow', { taskQueue: stack.api.config.workflowEngine!.controlTaskQueue, workflowId: uniqueName('forged'), args: [] })],
      ['list workflows', () => service.listWorkflowExecutions({ namespace })],
      ['count workflows', () => service.countWorkflowExecutions({ namespace })],
      ['read a history', () => service.getWorkflowExecutionHistory({ namespace, execution })],
      ['describe a workflow', () => service.describeWorkflowExecution({ namespace, execution })],
      ['signal a workflow', () => service.signalWorkflowExecution({ namespace, workflowExecution: execution, signalName: 'volumeProgress' })],
      ['signal-with-start', () => service.signalWithStartWorkflowExecution({ namespace, workflowId: 'x', signalName: 's' })],
      ['query a workflow', () => service.queryWorkflow({ namespace, execution, query: { queryType: 'progress' } })],
      ['terminate a workflow', () => service.terminateWorkflowExecution({ namespace, workflowExecution: execution })],
      ['cancel a workflow', () => service.requestCancelWorkflowExecution({ namespace, workflowExecution: execution })],
      ['list schedules', () => service.listSchedules({ namespace })],
      ['create a schedule', () => service.createSchedule({ namespace, scheduleId: 'forged' })],
      ['poll control for activities', () => service.pollActivityTaskQueue({ namespace, taskQueue: { name: stack.api.config.workflowEngine!.controlTaskQueue } })],
      ['poll control for workflow tasks', () => service.pollWorkflowTaskQueue({ namespace, taskQueue: { name: stack.api.config.workflowEngine!.controlTaskQueue } })],
      ['poll its own queue for workflow tasks', () => service.pollWorkflowTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(tenant.clusterId) } })],
      ['poll cluster B\'s queue', () => service.pollActivityTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(clusterB) } })],
      ['poll its own queue in another namespace', () => service.pollActivityTaskQueue({ namespace: 'temporal-system', taskQueue: { name: clusterTaskQueue(tenant.clusterId) } })],
      ['complete a task it was not handed', () => service.respondActivityTaskCompleted({ namespace, taskToken: Buffer.from('forged-task-token') })],
      ['complete a task by workflow and activity id', () => service.respondActivityTaskCompletedById({ namespace, workflowId: execution.workflowId, activityId: '1' })],
      ['fail a task by id', () => service.respondActivityTaskFailedById({ namespace, workflowId: execution.workflowId, activityId: '1' })],
      ['heartbeat a task by id', () => service.recordActivityTaskHeartbeatById({ namespace, workflowId: execution.workflowId, activityId: '1' })],
      ['describe a task queue', () => service.describeTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(clusterB) } })],
      ['describe another namespace', () => service.describeNamespace({ namespace: 'temporal-system' })],
      ['update the namespace', () => service.updateNamespace({ namespace })],
      ['reset a workflow', () => service.resetWorkflowExecution({ namespace, workflowExecution: execution })],
      ['read search attributes (operator service)', () => tenant.connection.operatorService.listSearchAttributes({ namespace })],
    ];
    for (const [attempt, call] of attempts) {
      const status = await statusOf(call);
      answers.push({ attempt, status: status === PERMISSION_DENIED ? 'PERMISSION_DENIED' : `status ${status}` });
      expect(status, attempt).toBe(PERMISSION_DENIED);
    }
  });

  it('refuses a caller without a token, or with a token it made up, as unauthenticated', async () => {
    await expect(Connection.connect({ address: stack.gateway.address, tls: false })).rejects.toThrow();
    expect(await statusOf(() => connectAs('hvn_agent_made-up'))).toBe(UNAUTHENTICATED);
    expect(await statusOf(() => connectAs(`hmv1.p1.${Buffer.from('{}').toString('base64url')}.AAAA`))).toBe(UNAUTHENTICATED);
    answers.push({ attempt: 'connect without a token or with a made-up one', status: 'UNAUTHENTICATED' });
  });

  it('hands a cluster only its own organization\'s tasks, opened for it, and seals what it answers', async () => {
    // A cluster of the tenant's organization with no agent: the tenant polls its queue itself.
    const c = await createCluster(stack.client);
    const own = await connectAs(c.agentToken);
    try {
      const workflowId = organizationWorkflowId(stack.orgId, uniqueName('preview'));
      const handle = await stack.temporal.workflow.start<typeof previewBackupWorkflow>('previewBackupWorkflow', {
        taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
        workflowId,
        args: [{ clusterId: c.id, timeoutMs: 60_000, request: previewRequest }],
      });
      const task = await own.withDeadline(Date.now() + 30_000, () => own.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(c.id) }, identity: 'tenant' }));
      expect(task.taskToken?.length).toBeGreaterThan(0);
      // The gateway opened the input: the tenant reads its own task, and nothing in it names a key.
      const input = task.input!.payloads![0]!;
      expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('json/plain');
      expect(defaultPayloadConverter.fromPayload(input)).toMatchObject({ version: 1 });
      // A payload that claims to be sealed already (it could name any key) is refused.
      const forged = { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from('org.other.1') }, data: Buffer.from('x') };
      expect(await statusOf(() => own.workflowService.respondActivityTaskCompleted({ namespace, taskToken: task.taskToken, result: { payloads: [forged] } }))).toBe(PERMISSION_DENIED);
      answers.push({ attempt: 'answer its own task with a payload already sealed', status: 'PERMISSION_DENIED' });
      // Cluster A's token cannot answer cluster C's task, even holding the token the gateway handed C.
      expect(await statusOf(() => tenant.connection.workflowService.respondActivityTaskCompleted({ namespace, taskToken: task.taskToken, result: { payloads: [] } }))).toBe(PERMISSION_DENIED);
      answers.push({ attempt: 'answer a task handed to another cluster, with its token', status: 'PERMISSION_DENIED' });
      // A failure's message, whatever it says, is sealed on its way into the history.
      const failure = temporal.api.failure.v1.Failure.create({
        message: 'stderr: password=hunter2',
        stackTrace: 'at secret',
        applicationFailureInfo: { type: 'HOOK', nonRetryable: true },
        // A failure kind an activity never raises, carrying details in clear: dropped, not relayed.
        cause: { message: 'cause', resetWorkflowFailureInfo: { lastHeartbeatDetails: { payloads: [defaultPayloadConverter.toPayload('hunter3')] } } },
      });
      expect(await statusOf(() => own.workflowService.respondActivityTaskFailed({ namespace, taskToken: task.taskToken, failure }))).toBe(0);
      await expect(handle.result()).rejects.toThrow();
      const raw = new Client({ connection: stack.temporal.connection, namespace });
      const history = await raw.workflow.getHandle(workflowId).fetchHistory();
      const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expect(bytes.includes(Buffer.from('hunter2'))).toBe(false);
      expect(bytes.includes(Buffer.from('hunter3'))).toBe(false);
      const failed = history.events!.find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!.failure!;
      expect(failed.message).toBe('Encoded failure');
      expect(Buffer.from(failed.encodedAttributes!.metadata![KEY_ID_METADATA]!).toString()).toBe(`org.${stack.orgId}.1`);
    } finally {
      await own.close();
    }
  }, 120_000);

  it('fails, instead of handing over, a task of another organization\'s workflow sent to a cluster\'s queue', async () => {
    const other = await stack.api.createOrganization();
    await stack.startAgent(tenant.clusterId);
    // A control-plane mistake or a forged schedule: org B's run aimed at org A's cluster.
    const workflowId = organizationWorkflowId(other.orgId, uniqueName('cross-org'));
    const handle = await stack.temporal.workflow.start<typeof previewBackupWorkflow>('previewBackupWorkflow', {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId,
      args: [{ clusterId: tenant.clusterId, timeoutMs: 60_000, request: previewRequest }],
    });
    const error = await handle.result().then(() => undefined, (e: unknown) => e);
    const causes: string[] = [];
    for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) causes.push(`${(cause as { type?: string }).type ?? ''} ${(cause as Error).message}`);
    expect(causes.join(' | ')).toMatch(/TASK_REFUSED_BY_GATEWAY.*does not belong to the organization/);
  }, 120_000);

  it('counts only polls it authenticated as a sign of life: a poller straight at Temporal does not make a cluster ACTIVE', async () => {
    const d = await createCluster(stack.client);
    const direct = await Worker.create({ connection: stack.connection, namespace, taskQueue: clusterTaskQueue(d.id), activities: { noop: async () => undefined } });
    const running = stack.track(direct);
    try {
      await eventually(async () => {
        const described = await stack.temporal.workflowService.describeTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(d.id) }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY });
        return (described.pollers?.length ?? 0) > 0;
      }, 'the direct poller to show on the queue');
      expect(expectStatus<{ status: string }>(await stack.client.get(`/clusters/${d.id}`), 200).status).not.toBe('ACTIVE');
    } finally {
      await running.stop();
    }
  }, 120_000);

  it('bounds what one principal may hold open: polls beyond its share are refused as RESOURCE_EXHAUSTED', async () => {
    const c = await createCluster(stack.client);
    // Without the client's retries, which would hide the refusals by trying again later.
    const greedy = await Connection.connect({ address: stack.gateway.address, apiKey: c.agentToken, tls: false, interceptors: [] });
    try {
      const polls = Array.from({ length: 24 }, () =>
        statusOf(() => greedy.withDeadline(Date.now() + 5_000, () => greedy.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(c.id) } }))),
      );
      const statuses = await Promise.all(polls);
      expect(statuses.filter((status) => status === RESOURCE_EXHAUSTED).length).toBeGreaterThanOrEqual(8);
      answers.push({ attempt: 'hold 24 long polls open at once', status: `${statuses.filter((s) => s === RESOURCE_EXHAUSTED).length} of them RESOURCE_EXHAUSTED` });
    } finally {
      await greedy.close();
    }
  }, 60_000);

  it('refuses a rotated token, and a deleted cluster\'s, within a minute', async () => {
    const c = await createCluster(stack.client);
    const old = await connectAs(c.agentToken);
    try {
      const rotatedAt = Date.now();
      const rotated = expectStatus<{ agentToken: string }>(await stack.client.post(`/clusters/${c.id}/agent-token`, {}), 200);
      await eventually(async () => (await statusOf(() => old.workflowService.getSystemInfo({}))) === UNAUTHENTICATED, 'the rotated token to be refused', 60_000);
      answers.push({ attempt: `keep calling after the token was rotated (refused after ${Math.round((Date.now() - rotatedAt) / 1000)} s)`, status: 'UNAUTHENTICATED' });
      const current = await connectAs(rotated.agentToken);
      await current.close();
      const deletedAt = Date.now();
      expect((await stack.client.delete(`/clusters/${c.id}`)).statusCode).toBe(204);
      await eventually(async () => (await statusOf(() => connectAs(rotated.agentToken))) === UNAUTHENTICATED, 'the deleted cluster\'s token to be refused', 60_000);
      answers.push({ attempt: `connect after the cluster was deleted (refused after ${Math.round((Date.now() - deletedAt) / 1000)} s)`, status: 'UNAUTHENTICATED' });
    } finally {
      await old.close();
    }
  }, 150_000);
});

describe('a mover pod\'s token', () => {
  it('serves its own queue only, and dies with its job', async () => {
    const [job] = await stack.api.running.database.db
      .insert(jobs)
      .values({ orgId: stack.orgId, kind: 'BACKUP', definitionName: 'attack', clusterId: tenant.clusterId, status: 'RUNNING', workflowId: organizationWorkflowId(stack.orgId, uniqueName('job')) })
      .returning();
    const queue = moverTaskQueue(tenant.clusterId, job!.id, 0);
    const installationKeyring = stack.api.config.workflowEngine!.payloadKeyring;
    const token = mintMoverToken(installationKeyring, { clusterId: tenant.clusterId, jobId: job!.id, taskQueue: queue, expiresAt: Date.now() + MOVER_TOKEN_LIFETIME_MS });
    const mover = await connectAs(token);
    try {
      // Its own queue: the poll is let through and comes back empty, no task being there (Temporal ends a
      // long poll just before its deadline, or the deadline ends it).
      const own = await statusOf(() => mover.withDeadline(Date.now() + 5_000, () => mover.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: queue } })));
      expect([0, DEADLINE_EXCEEDED]).toContain(own);
      const refusals: [string, () => Promise<unknown>][] = [
        ['mover: poll the cluster\'s agent queue', () => mover.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: clusterTaskQueue(tenant.clusterId) } })],
        ['mover: poll another mover\'s queue of the same job', () => mover.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: moverTaskQueue(tenant.clusterId, job!.id, 1) } })],
        ['mover: signal its workflow', () => mover.workflowService.signalWorkflowExecution({ namespace, workflowExecution: { workflowId: job!.workflowId }, signalName: 'volumeProgress' })],
        ['mover: list workflows', () => mover.workflowService.listWorkflowExecutions({ namespace })],
      ];
      for (const [attempt, call] of refusals) {
        const status = await statusOf(call);
        answers.push({ attempt, status: status === PERMISSION_DENIED ? 'PERMISSION_DENIED' : `status ${status}` });
        expect(status, attempt).toBe(PERMISSION_DENIED);
      }
      // A token for another queue cannot be made from this one: its signature covers the queue.
      const [prefix, keyId, body, mac] = token.split('.');
      const otherBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), taskQueue: clusterTaskQueue(tenant.clusterId) })).toString('base64url');
      expect(await statusOf(() => connectAs([prefix, keyId, otherBody, mac].join('.')))).toBe(UNAUTHENTICATED);
      // An expired token is refused.
      const expired = mintMoverToken(installationKeyring, { clusterId: tenant.clusterId, jobId: job!.id, taskQueue: queue, expiresAt: Date.now() - 1 });
      expect(await statusOf(() => connectAs(expired))).toBe(UNAUTHENTICATED);
      // The job ends: the token stops working.
      await stack.api.running.database.db.update(jobs).set({ status: 'COMPLETED', endedAt: new Date() }).where(eq(jobs.id, job!.id));
      const endedAt = Date.now();
      await eventually(async () => (await statusOf(() => mover.workflowService.getSystemInfo({}))) === UNAUTHENTICATED, 'the ended job\'s mover token to be refused', 60_000);
      answers.push({ attempt: `mover: keep calling after its job ended (refused after ${Math.round((Date.now() - endedAt) / 1000)} s)`, status: 'UNAUTHENTICATED' });
    } finally {
      await mover.close();
    }
  }, 120_000);
});

describe('tokens and organizations through the API', () => {
  it('another organization cannot rotate or read a cluster\'s token', async () => {
    const other = await stack.api.createOrganization();
    expect((await authorized(stack.api.app, other.keys.admin).post(`/clusters/${tenant.clusterId}/agent-token`, {})).statusCode).toBe(404);
  });
});
