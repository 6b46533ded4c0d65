import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scratchDir } from '../datamover/helpers/repository-fixture.js';
import { uniqueName } from '../support/stack-env.js';
import { createStackS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { breakTarget, configMap, storeRecoveryPoint } from './helpers/point-repository.js';
import { authorized, startTestApi, type Client, type TestApi } from './helpers/test-api.js';

const run = promisify(execFile);

let api: TestApi;
let client: Client;
/** Contents (a resource's YAML, files) need an operator; listings a viewer. */
let operator: Client;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
let pointId: string;
let orgId: string;

const files = { 'conf/app.yaml': 'port: 8080\n', 'data/one.txt': 'one', 'data/two.txt': 'two', 'data/sub/three.txt': 'three' };

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  orgId = org.orgId;
  client = authorized(api.app, org.keys.viewer);
  operator = authorized(api.app, org.keys.operator);
  const target = await createStackS3Target(authorized(api.app, org.keys.admin), uniqueName('browse'));
  scratch = await scratchDir('api-browse');
  const point = await storeRecoveryPoint(api, scratch.path, {
    orgId,
    storageTargetId: target.id,
    resources: [configMap('shop', 'settings', { mode: 'live' }), configMap('shop', 'flags', { beta: 'on' }), configMap('billing', 'rates', { vat: '20' })],
    volume: { namespace: 'shop', claim: 'data', files },
  });
  pointId = point.id;
});
afterAll(async () => {
  await api?.close();
  await scratch?.cleanup();
});

describe('browsing a recovery point through the API', () => {
  it('lists its resources, by namespace and type, paged', async () => {
    const all = expectStatus<{ items: { name: string; namespace: string | null; type: string }[]; nextCursor: string | null }>(await client.get(`/recovery-points/${pointId}/resources?limit=2`), 200);
    expect(all.items).toHaveLength(2);
    const rest = expectStatus<{ items: unknown[]; nextCursor: string | null }>(await client.get(`/recovery-points/${pointId}/resources?limit=2&cursor=${all.nextCursor}`), 200);
    expect(rest).toMatchObject({ items: [expect.anything()], nextCursor: null });
    const shop = expectStatus<{ items: { name: string }[] }>(await client.get(`/recovery-points/${pointId}/resources?namespace=shop&type=configmaps`), 200);
    expect(shop.items.map((i) => i.name).sort()).toEqual(['flags', 'settings']);
  });

  it('reads one resource as YAML', async () => {
    expectStatus(await client.get(`/recovery-points/${pointId}/resources/configmaps/settings?namespace=shop`), 403);
    const resource = expectStatus<{ kind: string; yaml: string }>(await operator.get(`/recovery-points/${pointId}/resources/configmaps/settings?namespace=shop`), 200);
    expect(resource.kind).toBe('ConfigMap');
    expect(parse(resource.yaml)).toMatchObject({ metadata: { name: 'settings', namespace: 'shop' }, data: { mode: 'live' } });
    expectStatus(await operator.get(`/recovery-points/${pointId}/resources/configmaps/settings?namespace=billing`), 404);
  });

  it("lists a PV's files with sizes and modes, from a path, paged", async () => {
    const page = expectStatus<{ items: { path: string; type: string; size: number; mode: string }[]; nextCursor: string | null }>(
      await client.get(`/recovery-points/${pointId}/volumes/shop/data/files?path=data&limit=3`),
      200,
    );
    expect(page.items.map((i) => i.path)).toEqual(['data', 'data/one.txt', 'data/sub']);
    expect(page.items[1]).toMatchObject({ type: 'file', size: 3, mode: '0644' });
    const next = expectStatus<{ items: { path: string }[]; nextCursor: string | null }>(await client.get(`/recovery-points/${pointId}/volumes/shop/data/files?path=data&limit=3&cursor=${page.nextCursor}`), 200);
    expect(next).toEqual({ items: [expect.objectContaining({ path: 'data/sub/three.txt' }), expect.objectContaining({ path: 'data/two.txt' })], nextCursor: null });
  });

  it('downloads one file of a PV as a tar, and nothing else', async () => {
    expectStatus(await client.post(`/recovery-points/${pointId}/volumes/shop/data/archive`, { paths: ['data/sub'] }), 403);
    const response = await operator.post(`/recovery-points/${pointId}/volumes/shop/data/archive`, { paths: ['data/sub'] });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-tar');
    const archive = join(scratch.path, 'download.tar');
    await writeFile(archive, response.rawPayload);
    const out = join(scratch.path, 'unpacked');
    await mkdir(out);
    await run('tar', ['-xf', archive, '-C', out]);
    expect(await readdir(out)).toEqual(['data']);
    expect(await readdir(join(out, 'data'))).toEqual(['sub']);
    expect(await readFile(join(out, 'data/sub/three.txt'), 'utf8')).toBe('three');
  });

  it('refuses bad paths (400), unknown points, claims and paths (404)', async () => {
    const bad = await client.get(`/recovery-points/${pointId}/volumes/shop/data/files?path=../etc`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'querystring.path' }] });
    const badBody = await operator.post(`/recovery-points/${pointId}/volumes/shop/data/archive`, { paths: ['data', '/etc/passwd'] });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toMatchObject({ errors: [{ field: 'body.paths.1' }] });
    expectStatus(await client.get('/recovery-points/00000000-0000-4000-8000-000000000000/resources'), 404);
    expectStatus(await client.get(`/recovery-points/${pointId}/volumes/shop/other/files`), 404);
    const missing = await operator.post(`/recovery-points/${pointId}/volumes/shop/data/archive`, { paths: ['data/none.txt'] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ errors: [{ field: 'body.paths.0' }] });
    expectStatus(await client.get(`/recovery-points/${pointId}/resources?cursor=abc`), 422);
  });

  it('answers 409 for a PV kept only as a CSI snapshot', async () => {
    const target = (await api.running.database.db.query.recoveryPoints.findFirst({ where: (p, { eq }) => eq(p.id, pointId) }))!.storageTargetId;
    const snapshotOnly = await insertRecoveryPoint(api.running.database.db, { orgId, storageTargetId: target });
    await api.running.database.db.execute(
      `update recovery_points set contents = jsonb_set(contents, '{persistentVolumes}', '[{"namespace":"shop","claim":"db","storageClass":"csi","sizeBytes":1,"method":"SNAPSHOT"}]') where id = '${snapshotOnly.id}'`,
    );
    expectStatus(await client.get(`/recovery-points/${snapshotOnly.id}/volumes/shop/db/files`), 409);
  });

  // An address the installation does not allow, so the refusal is immediate: an unreachable one is retried for ~20 s first.
  it('answers 502 storage-unavailable when the storage cannot be reached', async () => {
    const target = (await api.running.database.db.query.recoveryPoints.findFirst({ where: (p, { eq }) => eq(p.id, pointId) }))!.storageTargetId;
    await breakTarget(api, target);
    const response = await client.get(`/recovery-points/${pointId}/resources`);
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ code: 'storage-unavailable' });
    expect(response.json().detail).toContain(target);
  });
});
