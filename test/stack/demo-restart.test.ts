import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HavenApi } from '../../scripts/demo/api-client.js';
import { ensureCluster, ensureStorageTarget, type StackStorage } from '../../scripts/demo/registration.js';
import { ensureBackupDefinition, runBackup } from '../../scripts/demo/story.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { untilClusterActive } from '../backup/helpers/runs.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

/**
 * `npm run demo`, `npm run stack -- down`, `npm run demo` again: the second demo's backups must work.
 * The stack's S3 server restarts in a run directory of its own (the shared stack is never stopped), and
 * the demo's own registration and backup steps run against Haven over HTTP, as the demo calls them.
 */
const savedRunDir = process.env.HAVEN_RUN_DIR;
const runDir = await mkdtemp(join(tmpdir(), 'haven-demo-restart-'));
// paths.ts reads the run directory when it is first imported: only this file's stack lives there.
process.env.HAVEN_RUN_DIR = runDir;
const { up, down } = await import('../../scripts/stack/stack.js');
const { s3 } = await import('../../scripts/stack/components/s3.js');

const namespace = uniqueName('demo-restart');
const core = (() => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
  return kubeConfig.makeApiClient(CoreV1Api);
})();
let stack: BackupStack;
let api: HavenApi;
let clusterId: string;
let definitionId: string;
let first: StackStorage;

const startS3 = async () => (await up(0, [s3])) as unknown as StackStorage;


beforeAll(async () => {
  first = await startS3();
  stack = await startBackupStack();
  await stack.api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = stack.api.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the test API is not listening on a port');
  api = new HavenApi(`http://127.0.0.1:${address.port}`, stack.adminKey);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { color: 'teal' } } });
  const target = await ensureStorageTarget(api, first);
  clusterId = (await ensureCluster(api, target.id)).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
  definitionId = (await ensureBackupDefinition(api, clusterId, [namespace])).id;
  const backup = await runBackup(api, definitionId);
  expect(backup.status, backup.message).toBe('COMPLETED');
});

afterAll(async () => {
  await stack?.close();
  await down();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  await rm(runDir, { recursive: true, force: true });
  if (savedRunDir === undefined) delete process.env.HAVEN_RUN_DIR;
  else process.env.HAVEN_RUN_DIR = savedRunDir;
});

describe('a demo after the stack was stopped and started again', () => {
  it('finds S3 where it was: the restart keeps the port, and the next backup completes', async () => {
    await down();
    const again = await startS3();
    expect(again.S3_ENDPOINT).toBe(first.S3_ENDPOINT);
    // What a second `npm run demo` does once the stack is up: register again, then back up.
    expect((await ensureStorageTarget(api, again)).updated).toBe(false);
    const backup = await runBackup(api, definitionId);
    expect(backup.status, backup.message).toBe('COMPLETED');
  });

  it('moves its storage target when another program took the port meanwhile, and the next backup completes', async () => {
    await down();
    const oldPort = Number(new URL(first.S3_ENDPOINT).port);
    const squatter: Server = createServer();
    await new Promise<void>((resolveListen) => squatter.listen(oldPort, '127.0.0.1', resolveListen));
    let moved: StackStorage;
    try {
      moved = await startS3();
    } finally {
      // Gone again before the backup: the old endpoint now refuses connections, as in the reported failure.
      await new Promise((resolveClose) => squatter.close(resolveClose));
    }
    expect(moved.S3_ENDPOINT).not.toBe(first.S3_ENDPOINT);
    expect((await ensureStorageTarget(api, moved)).updated).toBe(true);
    const backup = await runBackup(api, definitionId);
    expect(backup.status, `${backup.message} ${JSON.stringify(backup.errors)}`).toBe('COMPLETED');
  });
});
