import { createServer } from 'node:net';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Target, expectStatus, insertRecoveryPoint } from '../api/helpers/fixtures.js';
import { RecordingLauncher } from '../api/helpers/recording-launcher.js';
import { authorized, startTestApi } from '../api/helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from '../api/helpers/test-api.js';
import { uniqueName } from '../support/stack-env.js';
import { havenJson, runHaven } from './helpers/haven-cli.js';

/**
 * The `haven` process against a real API (its own database; runs recorded instead of started): what each
 * command sends arrives, and what -o json|yaml prints is the API's own objects.
 */
let api: TestApi;
let org: TestOrganization;
let client: Client;
let env: Record<string, string>;
const launcher = new RecordingLauncher();
let targetId: string;
const clusterName = uniqueName('prod');

beforeAll(async () => {
  api = await startTestApi({ launcher });
  org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  targetId = (await createS3Target(client)).id;
  env = { HAVEN_SERVER: await api.app.listen({ host: '127.0.0.1', port: 0 }), HAVEN_API_KEY: org.keys.admin };
});
afterAll(() => api?.close());

/** A loopback port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const apiGet = async <T = Record<string, unknown>>(path: string) => expectStatus<T>(await client.get(path), 200);

describe('haven cluster', () => {
  it('register creates the cluster with its default target and prints the token and manifest once', async () => {
    const registered = await havenJson<{ id: string; name: string; agentToken: string; agentManifest: string; defaultStorageTargetId: string }>(
      ['cluster', 'register', clusterName, '--storage-target', targetId, '--description', 'the shop'],
      env,
    );
    expect(registered).toMatchObject({ name: clusterName, defaultStorageTargetId: targetId, agentToken: expect.any(String) });
    expect(registered.agentManifest).toContain(registered.id);
    expect(await apiGet(`/clusters/${registered.id}`)).toMatchObject({ name: clusterName, description: 'the shop', defaultStorageTargetId: targetId });
  });

  it('list -o json and get -o yaml print exactly what the API answers', async () => {
    const listed = await havenJson<unknown[]>(['cluster', 'list'], env);
    expect(listed).toEqual((await apiGet<{ items: unknown[] }>('/clusters')).items);
    const [cluster] = (await apiGet<{ items: { id: string }[] }>(`/clusters?name=${clusterName}`)).items;
    const yaml = await runHaven(['cluster', 'get', clusterName, '-o', 'yaml'], env);
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(parse(yaml.stdout)).toEqual(await apiGet(`/clusters/${cluster!.id}`));
  });

  it('list as a table names each cluster with its status', async () => {
    const run = await runHaven(['cluster', 'list'], env);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+ID\s+STATUS/);
    expect(rows).toEqual([expect.stringMatching(new RegExp(`^${clusterName}\\s+[0-9a-f-]{36}\\s+PENDING`))]);
  });
});

describe('haven backup', () => {
  const name = uniqueName('shop');

  it('create sends the Velero-style flags as the definition', async () => {
    const created = await havenJson<{ id: string }>(
      ['backup', 'create', name, '--cluster', clusterName, '--include-namespaces', 'shop,db', '--include-namespaces', 'cache', '-l', 'app:web', '--storage-target', targetId],
      env,
    );
    expect(await apiGet(`/backup-definitions/${created.id}`)).toMatchObject({
      name,
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: ['shop', 'db', 'cache'], labels: 'app:web' },
      advanced: { destinationStorageTargetId: targetId },
    });
  });

  it('get and describe print the definition as the API has it', async () => {
    const [definition] = (await apiGet<{ items: { id: string }[] }>(`/backup-definitions?name=${name}`)).items;
    const fromApi = await apiGet(`/backup-definitions/${definition!.id}`);
    expect(await havenJson(['backup', 'get', name], env)).toEqual(fromApi);
    expect(await havenJson(['backup', 'describe', definition!.id], env)).toEqual(fromApi);
    expect(await havenJson(['backup', 'get'], env)).toEqual([fromApi]);
    const described = await runHaven(['backup', 'describe', name], env);
    expect(described.stdout).toMatch(new RegExp(`^Name:\\s+${name}$`, 'm'));
    expect(described.stdout).toMatch(/^Namespaces:\s+shop,db,cache$/m);
  });

  it('run starts a run with the retention given and prints its job; job get shows it', async () => {
    const before = launcher.runs.length;
    const job = await havenJson<{ id: string; kind: string; status: string }>(['backup', 'run', name, '--retention-days', '4'], env);
    expect(job).toMatchObject({ kind: 'BACKUP', status: 'RUNNING' });
    expect(launcher.runs.slice(before)).toEqual([expect.objectContaining({ kind: 'BACKUP', input: expect.objectContaining({ retention: { days: 4, safeLock: false } }) })]);
    expect(await havenJson(['job', 'get', job.id], env)).toEqual(await apiGet(`/jobs/${job.id}`));
    expect(await havenJson<{ id: string }[]>(['job', 'get', '--backup', name], env)).toEqual([expect.objectContaining({ id: job.id })]);
  });

  it('job cancel asks the run to stop', async () => {
    const [job] = (await apiGet<{ items: { id: string }[] }>('/jobs?status=RUNNING')).items;
    const run = await runHaven(['job', 'cancel', job!.id], env);
    expect(run.code, run.stderr).toBe(0);
    expect(launcher.calls).toContain(`cancel:${job!.id}`);
  });

  it('delete without --confirm off a terminal deletes nothing; with it, deletes', async () => {
    const refused = await runHaven(['backup', 'delete', name], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --confirm/);
    expect((await apiGet<{ items: unknown[] }>(`/backup-definitions?name=${name}`)).items).toHaveLength(1);
    const deleted = await runHaven(['backup', 'delete', name, '--confirm'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await apiGet<{ items: unknown[] }>(`/backup-definitions?name=${name}`)).items).toEqual([]);
  });
});

describe('haven point and haven restore', () => {
  let pointId: string;
  let clusterId: string;

  beforeAll(async () => {
    clusterId = (await apiGet<{ items: { id: string }[] }>(`/clusters?name=${clusterName}`)).items[0]!.id;
    pointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: targetId, clusterId, namespaces: ['shop', 'billing'] })).id;
  });

  it('point list and describe print the API\'s recovery points', async () => {
    expect(await havenJson(['point', 'list', '--cluster', clusterName], env)).toEqual((await apiGet<{ items: unknown[] }>(`/recovery-points?clusterId=${clusterId}`)).items);
    expect(await havenJson(['point', 'describe', pointId], env)).toEqual(await apiGet(`/recovery-points/${pointId}`));
    const described = await runHaven(['point', 'describe', pointId], env);
    expect(described.stdout).toMatch(/^Namespaces:\n {2}shop\n {2}billing$/m);
  });

  it('restore create --from sends the mappings, restores to the point\'s cluster and starts the run', async () => {
    const before = launcher.runs.length;
    const restore = await havenJson<{ id: string }>(
      ['restore', 'create', '--from', pointId, '--namespace-mapping', 'shop:shop-copy,billing:billing-copy', '--storage-class-mapping', 'fast:standard'],
      env,
    );
    expect(await apiGet(`/restores/${restore.id}`)).toMatchObject({
      recoveryPointId: pointId,
      targetClusterId: clusterId,
      transforms: { namespaceMapping: { shop: 'shop-copy', billing: 'billing-copy' }, storageClassMapping: { fast: 'standard' } },
    });
    expect(launcher.runs.slice(before)).toEqual([expect.objectContaining({ kind: 'RESTORE', definitionId: restore.id })]);
  });

  it('a mapping that is not FROM:TO is a usage error naming the flag, and creates nothing', async () => {
    const before = (await apiGet<{ items: unknown[] }>('/restores')).items.length;
    const run = await runHaven(['restore', 'create', '--from', pointId, '--namespace-mapping', 'shop'], env);
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: 'Error: --namespace-mapping "shop" is not FROM:TO\n' });
    expect((await apiGet<{ items: unknown[] }>('/restores')).items).toHaveLength(before);
  });
});

describe('errors', () => {
  it('an API 4xx is one line with the status, the code and each field with its reason; exit code 1', async () => {
    const run = await runHaven(['cluster', 'register', ' padded name '], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Error: 4\d\d validation-failed: .*body\.name: [^\n]+\n$/);
  });

  it('a record that does not exist is the API\'s 404, in one line', async () => {
    const run = await runHaven(['job', 'get', '00000000-0000-4000-8000-000000000000'], env);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^Error: 404 not-found: [^\n]+\n$/);
  });

  it('an unknown flag or command is a usage error (exit code 2), never a stack trace', async () => {
    const flag = await runHaven(['backup', 'get', '--colour'], env);
    expect(flag).toMatchObject({ code: 2, stderr: "Error: unknown flag --colour\n" });
    const command = await runHaven(['backup', 'explode'], env);
    expect(command).toMatchObject({ code: 2, stderr: 'Error: haven backup has no command "explode" (haven backup --help)\n' });
  });

  it('an API nobody answers at is named, in one line', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const run = await runHaven(['cluster', 'list'], { ...env, HAVEN_SERVER: server });
    expect(run).toMatchObject({ code: 1, stderr: `Error: cannot reach ${server}: ECONNREFUSED\n` });
  });
});

describe('help', () => {
  it('haven --help lists every command; a command\'s --help its flags', async () => {
    const main = await runHaven(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['cluster register', 'backup create', 'backup run', 'restore create', 'job watch', 'point describe']) expect(main.stdout).toContain(`haven ${command}`);
    const restore = await runHaven(['restore', 'create', '--help']);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/--namespace-mapping FROM:TO/);
  });
});
