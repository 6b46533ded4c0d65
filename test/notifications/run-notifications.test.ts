import { ApplicationFailure } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportResourcesResult } from '../../proto/agent/index.js';
import { jobMetrics } from '../../activities/control/job-metrics.js';
import { notificationNetworks } from '../../lib/common/notification-networks.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { verifyWebhook } from '../../lib/common/webhook-signature.js';
import { notificationDeliveries } from '../../lib/db/schema/index.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive } from '../backup/helpers/runs.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver.js';

/** As the local stack's installation would allow: the receivers listen on loopback. */
const LOOPBACK = { HAVEN_NOTIFICATION_PRIVATE_NETWORKS: '127.0.0.0/8' };
/** Three attempts, a fifth of a second apart and doubling: the back-off of production, in milliseconds. */
const RETRY = { maxAttempts: 3, initialMs: 200, factor: 2, maxMs: 1_000 };
const SECRET = 'whsec-0123456789abcdef';

let stack: BackupStack;
let webhook: WebhookReceiver;
let smtp: SmtpReceiver;
let webhookChannel: string;
const metrics = new Registry();

beforeAll(async () => {
  [webhook, smtp] = await Promise.all([startWebhookReceiver(), startSmtpReceiver()]);
  stack = await startBackupStack({ notificationNetworks: notificationNetworks(LOOPBACK), notificationRetry: RETRY, jobMetrics: jobMetrics(metrics) }, LOOPBACK);
  webhookChannel = expectStatus<{ id: string }>(await stack.client.post('/notification-channels', { kind: 'WEBHOOK', name: 'ops-hook', url: webhook.url, secret: SECRET }), 201).id;
  expectStatus(
    await stack.client.post('/notification-channels', { kind: 'EMAIL', name: 'ops-mail', host: smtp.host, port: smtp.port, security: 'NONE', from: 'haven@example.com', to: ['ops@example.com'] }),
    201,
  );
});

afterAll(async () => {
  await stack?.close();
  await webhook?.close();
  await smtp?.close();
});

interface Notified {
  event: string;
  deliveryId: string;
  job: { id: string; status: string; definitionName: string; message: string };
}

const documents = (requests: ReceivedRequest[]) => requests.map((request) => ({ request, document: JSON.parse(request.body) as Notified }));

function webhooksFor(jobId: string, count: number) {
  return eventually(() => {
    const found = documents(webhook.requests).filter(({ document }) => document.job.id === jobId);
    return Promise.resolve(found.length >= count ? found : undefined);
  }, `${count} webhook request(s) about job ${jobId}`);
}

/** The Subject header, decoded from the RFC 2047 quoted-printable words mailers write it in. */
function subjectOf(mail: string): string {
  const raw = /^Subject: (.*)$/m.exec(mail)?.[1] ?? '';
  return raw.replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_word, text: string) =>
    Buffer.from(text.replaceAll('_', ' ').replace(/=([0-9A-F]{2})/gi, (_hex, code: string) => String.fromCharCode(parseInt(code, 16))), 'latin1').toString('utf8'),
  );
}

async function deliveryOf(jobId: string, channelId: string) {
  const [row] = await stack.api.running.database.db
    .select()
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.jobId, jobId), eq(notificationDeliveries.channelId, channelId)));
  return row;
}

async function settledDelivery(jobId: string, channelId: string) {
  return eventually(async () => {
    const row = await deliveryOf(jobId, channelId);
    return row && row.status !== 'PENDING' ? row : undefined;
  }, `the delivery of job ${jobId} to settle`);
}

/** A cluster whose stand-in agent fails the export while `failing` says so, and succeeds after. */
async function clusterWithAgent(state: { failing: boolean }) {
  const clusterId = (await createCluster(stack.client)).id;
  stack.track(
    await Worker.create({
      connection: await stack.agentConnection(clusterId),
      namespace: stack.api.config.workflowEngine!.namespace,
      taskQueue: clusterTaskQueue(clusterId),
      activities: {
        async exportResourcesToRepository(): Promise<ExportResourcesResult> {
          if (state.failing) throw ApplicationFailure.nonRetryable('the export volume is full', 'INVALID_ARGUMENT');
          return { version: 1, snapshotId: 'e'.repeat(64), resourceCount: 2, namespaces: ['shop'], files: 2, bytes: 10, bytesStored: 10 };
        },
      },
    }),
  );
  await untilClusterActive(stack.client, clusterId);
  return clusterId;
}

async function backupDefinition(clusterId: string, body: Record<string, unknown> = {}) {
  const target = await createS3Target(stack.client);
  return createBackupDefinition(stack.client, clusterId, { persistentVolumes: { include: false }, advanced: { destinationStorageTargetId: target.id }, ...body });
}

describe('run notifications', () => {
  it('a failed run sends a signed webhook and an e-mail, and its first success after is notified as a recovery', async () => {
    const agent = { failing: true };
    const definition = await backupDefinition(await clusterWithAgent(agent));

    const failed = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definition.id));
    expect(failed.status).toBe('FAILED');
    const { request, document } = (await webhooksFor(failed.id, 1))[0]!;
    expect(verifyWebhook(SECRET, request.body, String(request.headers['x-haven-signature']), Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhook('another-secret-value', request.body, String(request.headers['x-haven-signature']), Math.floor(Date.now() / 1000))).toBe(false);
    expect(request.headers['x-haven-event']).toBe('FAILED');
    expect(document).toMatchObject({ event: 'FAILED', job: { id: failed.id, status: 'FAILED', definitionName: definition.name } });
    expect(document.job.message).toContain('the export volume is full');

    const mails = await smtp.received(1);
    const mail = mails.find((text) => text.includes(failed.id));
    expect(mail).toBeDefined();
    expect(subjectOf(mail!)).toBe(`[Haven] backup "${definition.name}" FAILED`);
    expect(mail).toMatch(/^To: ops@example\.com/m);
    expect(mail).toContain('the export volume is full');

    const log = expectStatus<{ items: { jobId: string; status: string; attempts: number; responseStatus: number }[] }>(
      await stack.client.get(`/notification-channels/${webhookChannel}/deliveries`),
      200,
    );
    expect(log.items.find((item) => item.jobId === failed.id)).toMatchObject({ status: 'DELIVERED', attempts: 1, responseStatus: 200 });

    agent.failing = false;
    const recovered = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definition.id));
    expect(recovered.status).toBe('COMPLETED');
    const [recovery] = await webhooksFor(recovered.id, 1);
    expect(recovery!.document.event).toBe('RECOVERED');

    // A second success recovers from nothing: no notification.
    const again = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definition.id));
    expect(again.status).toBe('COMPLETED');
    expect(await deliveryOf(again.id, webhookChannel)).toBeUndefined();

    const text = await metrics.metrics();
    expect(text).toMatch(/^haven_jobs_finished_total\{kind="BACKUP",status="FAILED"\} [1-9]/m);
    expect(text).toMatch(/^haven_jobs_finished_total\{kind="BACKUP",status="COMPLETED"\} [2-9]/m);
    expect(text).toMatch(/^haven_job_duration_seconds_count\{kind="BACKUP",status="COMPLETED"\} [2-9]/m);
  });

  it('retries a refused webhook with back-off, logs every attempt, and gives up after the last', async () => {
    const noAgent = (await createCluster(stack.client)).id;
    const definition = await backupDefinition(noAgent);

    webhook.failNext(2, 503);
    const skipped = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definition.id));
    expect(skipped.status).toBe('SKIPPED');
    const attempts = await webhooksFor(skipped.id, 3);
    expect(new Set(attempts.map(({ document }) => document.deliveryId)).size).toBe(1);
    expect(await settledDelivery(skipped.id, webhookChannel)).toMatchObject({ status: 'DELIVERED', attempts: 3, responseStatus: 200, lastError: null });

    webhook.failNext(RETRY.maxAttempts, 500);
    const second = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definition.id));
    await webhooksFor(second.id, RETRY.maxAttempts);
    expect(await settledDelivery(second.id, webhookChannel)).toMatchObject({ status: 'FAILED', attempts: RETRY.maxAttempts, responseStatus: 500, lastError: 'the endpoint answered HTTP 500' });
    const log = expectStatus<{ items: { jobId: string }[] }>(await stack.client.get(`/notification-channels/${webhookChannel}/deliveries?status=FAILED`), 200);
    expect(log.items.map((item) => item.jobId)).toEqual([second.id]);
  });

  it('sends nothing about a definition that opted out', async () => {
    const definition = await backupDefinition((await createCluster(stack.client)).id, { notifications: { optOut: true } });
    expect(expectStatus<{ notifications: { optOut: boolean } }>(await stack.client.get(`/backup-definitions/${definition.id}`), 200).notifications).toEqual({ optOut: true });
    const skipped = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definition.id));
    expect(skipped.status).toBe('SKIPPED');
    // Deliveries are queued in the transaction that ends the job: none now means none ever.
    const rows = await stack.api.running.database.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.jobId, skipped.id));
    expect(rows).toEqual([]);
  });
});
