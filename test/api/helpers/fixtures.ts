import type { LightMyRequestResponse } from 'fastify';
import type { Database } from '../../../lib/db/client.js';
import { jobs, recoveryPoints } from '../../../lib/db/schema/index.js';
import { stackEnv, uniqueName } from '../../support/stack-env.js';
import type { Client } from './test-api.js';

/** Asserts the status (showing the body when it differs) and returns the parsed JSON. */
export function expectStatus<T = Record<string, unknown>>(response: LightMyRequestResponse, status: number): T {
  if (response.statusCode !== status) {
    throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body}`);
  }
  return (response.body === '' ? undefined : response.json()) as T;
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${++counter}`;

export async function createCluster(client: Client, body: Record<string, unknown> = {}) {
  return expectStatus<{ id: string; name: string; agentToken: string; agentManifest: string }>(
    await client.post('/clusters', { name: unique('cluster'), ...body }),
    201,
  );
}

/** A storage target body the API accepts: targets are probed when saved, so it names the stack's object store. */
export function s3TargetBody(body: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: unique('s3'),
    kind: 'S3',
    endpoint: stackEnv('S3_ENDPOINT'),
    region: stackEnv('S3_REGION'),
    // The bucket with Object Lock only when asked.
    bucket: body.objectLockCapable ? stackEnv('S3_BUCKET') : stackEnv('S3_PLAIN_BUCKET'),
    pathStyle: true,
    prefix: `tests/${uniqueName('target')}`,
    credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
    ...body,
  };
}

export async function createS3Target(client: Client, body: Record<string, unknown> = {}) {
  return expectStatus<{ id: string; name: string }>(await client.post('/storage-targets', s3TargetBody(body)), 201);
}

export async function createPolicy(client: Client, body: Record<string, unknown> = {}) {
  return expectStatus<{ id: string; name: string }>(
    await client.post('/policies', { name: unique('policy'), schedules: [{ cron: '30 2 * * *', retentionDays: 7 }], ...body }),
    201,
  );
}

export async function createHook(client: Client, body: Record<string, unknown> = {}) {
  return expectStatus<{ id: string; name: string }>(
    await client.post('/app-hooks', { name: unique('hook'), type: 'PRE_BACKUP', command: ['sh', '-c', 'sync'], podSelector: 'app:db', ...body }),
    201,
  );
}

export async function createBackupDefinition(client: Client, clusterId: string, body: Record<string, unknown> = {}) {
  return expectStatus<{ id: string; name: string; version: number }>(
    await client.post('/backup-definitions', { name: unique('backup'), clusterId, ...body }),
    201,
  );
}

/** Recovery points and jobs are written by workflows; tests write them directly. */
export async function insertRecoveryPoint(
  db: Database,
  values: { orgId: string; storageTargetId: string; clusterId?: string | null; lockedUntil?: Date | null; namespaces?: string[] },
) {
  const [row] = await db
    .insert(recoveryPoints)
    .values({
      orgId: values.orgId,
      type: 'COPY',
      clusterId: values.clusterId ?? null,
      clusterName: 'prod',
      definitionName: 'nightly',
      storageTargetId: values.storageTargetId,
      expiresAt: new Date(Date.now() + 7 * 86_400_000),
      lockedUntil: values.lockedUntil ?? null,
      contents: { namespaces: values.namespaces ?? ['shop', 'billing'], resourceCount: 42, persistentVolumes: [] },
    })
    .returning();
  return row as typeof recoveryPoints.$inferSelect;
}

export async function insertJob(db: Database, values: { orgId: string; status: (typeof jobs.$inferInsert)['status']; startedAt?: Date }) {
  const [row] = await db
    .insert(jobs)
    .values({
      orgId: values.orgId,
      kind: 'BACKUP',
      definitionName: 'nightly',
      status: values.status,
      workflowId: `backup-test-${++counter}`,
      ...(values.startedAt ? { startedAt: values.startedAt } : {}),
    })
    .returning();
  return row as typeof jobs.$inferSelect;
}

/**
 * An S3 storage target on the local stack's object store (stack env), under its own prefix so test
 * files never share a repository. Needs the stack: `stackEnv` says how to start it when it is missing.
 */
export async function createStackS3Target(client: Client, prefix: string) {
  return createS3Target(client, {
    endpoint: stackEnv('S3_ENDPOINT'),
    region: stackEnv('S3_REGION'),
    bucket: stackEnv('S3_BUCKET'),
    pathStyle: true,
    prefix,
    credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
  });
}
