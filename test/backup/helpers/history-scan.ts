import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { storageTargets } from '../../../lib/db/schema/index.js';
import { readRepositorySecret } from '../../../lib/db/storage-target-secrets.js';
import { stackEnv } from '../../support/stack-env.js';
import type { BackupStack } from './backup-stack.js';

const { temporal } = proto;

/** A history exactly as Temporal stores it: read by a client without the payload codec. */
export async function rawHistory(stack: BackupStack, workflowId: string) {
  const connection = await Connection.connect({ address: stackEnv('TEMPORAL_ADDRESS') });
  try {
    const history = await new Client({ connection, namespace: stack.api.config.workflowEngine!.namespace }).workflow.getHandle(workflowId).fetchHistory();
    return { history, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) };
  } finally {
    await connection.close();
  }
}

/**
 * What must never be readable in a history: the bucket's keys, the repository secret, the installation
 * key, the organization's payload key (raw and as base64), and any mover token.
 */
export async function secretsOfStack(stack: BackupStack, storageTargetId: string): Promise<{ name: string; bytes: Buffer }[]> {
  const [target] = await stack.api.running.database.db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
  const orgKey = (await stack.payloadKeys.organizationKey(stack.orgId)).key;
  return [
    { name: 'S3 secret access key', bytes: Buffer.from(stackEnv('S3_SECRET_ACCESS_KEY')) },
    { name: 'S3 access key id', bytes: Buffer.from(stackEnv('S3_ACCESS_KEY_ID')) },
    { name: 'repository secret', bytes: Buffer.from(readRepositorySecret(stack.api.config.keyring, target!)!) },
    { name: 'installation payload key', bytes: Buffer.from(stack.payloadKeyEntry.split(':')[1]!) },
    { name: 'organization payload key', bytes: orgKey },
    { name: 'organization payload key (base64)', bytes: Buffer.from(orgKey.toString('base64')) },
    { name: 'a mover token', bytes: Buffer.from('hmv1.') },
  ];
}

/** Scans the raw bytes of each workflow's history for every secret; the scan is shown sound by finding what is in clear. */
export async function expectNoSecretInHistories(stack: BackupStack, workflowIds: string[], storageTargetId: string): Promise<void> {
  const secrets = await secretsOfStack(stack, storageTargetId);
  for (const workflowId of workflowIds) {
    const { history, bytes } = await rawHistory(stack, workflowId);
    for (const secret of secrets) expect(bytes.includes(secret.bytes), `${secret.name} is readable in the history of ${workflowId}`).toBe(false);
    // Sound: the workflow type, stored in clear, is found the same way; payloads are there, sealed.
    const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
    expect(bytes.includes(Buffer.from(type))).toBe(true);
    const payloads = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.input?.payloads ?? []);
    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
  }
}
