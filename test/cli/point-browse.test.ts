import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../datamover/helpers/repository-fixture.js';
import { createStackS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { configMap, storeRecoveryPoint } from '../api/helpers/point-repository.js';
import { authorized, startTestApi, type Client, type TestApi } from '../api/helpers/test-api.js';
import { uniqueName } from '../support/stack-env.js';
import { havenJson, runHaven } from './helpers/haven-cli.js';

const run = promisify(execFile);

/** `haven point resources|resource|files|download` against a real API reading a real repository. */
let api: TestApi;
let client: Client;
let env: Record<string, string>;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
let pointId: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  const target = await createStackS3Target(client, uniqueName('cli-browse'));
  scratch = await scratchDir('cli-browse');
  pointId = (
    await storeRecoveryPoint(api, scratch.path, {
      orgId: org.orgId,
      storageTargetId: target.id,
      resources: [configMap('shop', 'settings', { mode: 'live' })],
      volume: { namespace: 'shop', claim: 'data', files: { 'conf/app.yaml': 'port: 8080\n', 'data/one.txt': 'one' } },
    })
  ).id;
  env = { HAVEN_SERVER: await api.app.listen({ host: '127.0.0.1', port: 0 }), HAVEN_API_KEY: org.keys.admin };
});
afterAll(async () => {
  await api?.close();
  await scratch?.cleanup();
});

describe('haven point browsing', () => {
  it('resources and resource print what the API answers, the resource as its YAML', async () => {
    expect(await havenJson(['point', 'resources', pointId, '-n', 'shop'], env)).toEqual(expectStatus<{ items: unknown[] }>(await client.get(`/recovery-points/${pointId}/resources?namespace=shop`), 200).items);
    const printed = await runHaven(['point', 'resource', pointId, 'configmaps', 'settings', '-n', 'shop'], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(parse(printed.stdout)).toMatchObject({ kind: 'ConfigMap', data: { mode: 'live' } });
  });

  it('files lists the PV from a path', async () => {
    const files = await havenJson<{ path: string }[]>(['point', 'files', pointId, 'shop/data', '--path', 'conf'], env);
    expect(files.map((f) => f.path)).toEqual(['conf', 'conf/app.yaml']);
  });

  it('download writes a tar of the chosen path', async () => {
    const file = join(scratch.path, 'conf.tar');
    const downloaded = await runHaven(['point', 'download', pointId, 'shop/data', 'conf', '-f', file], env);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    const out = join(scratch.path, 'out');
    await mkdir(out);
    await run('tar', ['-xf', file, '-C', out]);
    expect(await readFile(join(out, 'conf/app.yaml'), 'utf8')).toBe('port: 8080\n');
  });

  it('download of a path the PV lacks fails with the API\'s problem', async () => {
    const failed = await runHaven(['point', 'download', pointId, 'shop/data', 'nowhere', '-f', join(scratch.path, 'none.tar')], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('body.paths.0');
  });
});
