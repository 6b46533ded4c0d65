import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createStackS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { untilClusterActive } from '../backup/helpers/runs.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { runHaven } from './helpers/haven-cli.js';

/**
 * `haven backup run --wait`, `haven job watch` and `haven restore create --wait` against a real run:
 * the API, the control worker and an agent on the stack's cluster, the CLI as a separate process
 * following the job to its end in plain-lines mode (stdout is a pipe). Resources only, so it is quick.
 */
const namespace = uniqueName('cli');
const copy = `${namespace}-copy`;
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const core = kubeConfig.makeApiClient(CoreV1Api);

let stack: BackupStack;
let env: Record<string, string>;
const definitionName = uniqueName('cli-backup');

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { color: 'teal' } } });
  stack = await startBackupStack();
  const target = await createStackS3Target(stack.client, `tests/${namespace}`);
  const clusterId = (await createCluster(stack.client, { defaultStorageTargetId: target.id })).id;
  await createBackupDefinition(stack.client, clusterId, { name: definitionName, selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] } });
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
  const { key } = expectStatus<{ key: string }>(await stack.client.post('/api-keys', { name: 'cli', role: 'admin' }), 201);
  env = { HAVEN_SERVER: await stack.api.app.listen({ host: '127.0.0.1', port: 0 }), HAVEN_API_KEY: key };
}, 240_000);

afterAll(async () => {
  await stack?.close();
  for (const name of [namespace, copy]) await core.deleteNamespace({ name }).catch(() => undefined);
});

describe('following a real run', () => {
  let jobId: string;

  it('backup run --wait prints the job, a line per change and the outcome, and exits 0 once it COMPLETED', async () => {
    const run = await runHaven(['backup', 'run', definitionName, '--retention-days', '1', '--wait'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    jobId = /^Run started: job ([0-9a-f-]{36})\.$/.exec(lines[0]!)![1]!;
    expect(lines[1]).toMatch(/^RUNNING/);
    expect(lines.at(-1)).toMatch(/^COMPLETED after \d+s: [\d.]+ (B|KiB|MiB), \d+ files; Backed up \d+ resources from 1 namespaces$/);
    const job = expectStatus<{ status: string }>(await stack.client.get(`/jobs/${jobId}`), 200);
    expect(job.status).toBe('COMPLETED');
  });

  it('job watch on a finished job prints its outcome at once; -o json prints the job as the API has it', async () => {
    const plain = await runHaven(['job', 'watch', jobId], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^COMPLETED\n?/);
    const json = await runHaven(['job', 'watch', jobId, '-o', 'json'], env);
    expect(JSON.parse(json.stdout)).toEqual(expectStatus(await stack.client.get(`/jobs/${jobId}`), 200));
  });

  it('restore create --from the run\'s point with a namespace mapping restores into the mapped namespace', async () => {
    const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200).items;
    const point = points.find((candidate) => candidate.jobId === jobId)!;
    const run = await runHaven(['restore', 'create', '--from', point.id, '--namespace-mapping', `${namespace}:${copy}`, '--wait'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^COMPLETED/);
    // The run COMPLETED: what it restored is there now.
    expect((await core.readNamespacedConfigMap({ namespace: copy, name: 'settings' })).data).toEqual({ color: 'teal' });
  });
});
