import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { storageTargets } from '../../lib/db/schema/index.js';
import { encryptCredentials } from '../../lib/db/storage-target-secrets.js';
import { createBackupDefinition, createCluster, createS3Target } from '../api/helpers/fixtures.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive } from './helpers/runs.js';

let stack: BackupStack;

beforeAll(async () => {
  stack = await startBackupStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('a failing export', () => {
  it('fails the job with an actionable message when storage refuses the credentials, without retrying', async () => {
    const clusterId = (await createCluster(stack.client)).id;
    const prefix = `tests/${uniqueName('bad-credentials')}`;
    const target = await createS3Target(stack.client, {
      endpoint: stackEnv('S3_ENDPOINT'),
      region: stackEnv('S3_REGION'),
      bucket: stackEnv('S3_BUCKET'),
      pathStyle: true,
      prefix,
      credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
    });
    // The target was fine when saved (the API probes it); then the bucket's secret was rotated under it.
    const credentialsCiphertext = encryptCredentials(stack.api.config.keyring, stack.orgId, target.id, { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: 'not-the-secret' });
    await stack.api.running.database.db.update(storageTargets).set({ credentialsCiphertext }).where(eq(storageTargets.id, target.id));
    const definitionId = (
      await createBackupDefinition(stack.client, clusterId, {
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: ['default'] },
        advanced: { destinationStorageTargetId: target.id },
      })
    ).id;
    await stack.startAgent(clusterId);
    await untilClusterActive(stack.client, clusterId);

    const started = await runNow(stack.client, definitionId);
    const job = await jobAfterRun(stack.client, stack.temporal, started);
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(
      new RegExp(
        `^Exporting resources failed: storage refused access to s3://${stackEnv('S3_BUCKET')}/${prefix}/repository \\(\\w+\\): ` +
          "check the storage target's access key and secret, and that they may read and write the bucket$",
      ),
    );
    expect(job.errors).toEqual([{ message: job.message }]);
    expect(job.endedAt).not.toBeNull();

    // The Temporal run failed too, with the same message, after one attempt (the failure is non-retryable).
    const error = await stack.temporal.workflow.getHandle(job.workflowId).result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe(job.message);
    const history = await stack.temporal.workflow.getHandle(job.workflowId).fetchHistory();
    const exportScheduled = new Set((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'exportResourcesToRepository').map((e) => String(e.eventId)));
    const exportAttempts = (history.events ?? []).filter((e) => exportScheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)));
    expect(exportAttempts.length).toBeGreaterThan(0);
    const agentFailure = (history.events ?? []).find((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type);
    expect(agentFailure?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo).toMatchObject({ type: 'STORAGE_ACCESS_DENIED', nonRetryable: true });
    expect(exportAttempts.every((e) => e.activityTaskStartedEventAttributes?.attempt === 1)).toBe(true);
  });
});
