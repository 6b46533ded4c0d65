import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';
import { MAX_PATH_PARAM_LENGTH } from '../../services/api/app.js';

let api: TestApi;
let org: TestOrganization;
let client: Client;

beforeAll(async () => {
  api = await startTestApi();
  org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
});
afterAll(() => api?.close());

describe('problem+json errors', () => {
  it('answers malformed JSON with 400 naming the body', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'body', reason: 'is not valid JSON' }] });
  });

  it('answers a non-JSON content type with 415', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'unsupported-media-type' });
  });

  it('rejects unknown properties instead of dropping them', async () => {
    const response = expectStatus(await client.post('/clusters', { name: 'x', nmae: 'typo' }), 400);
    expect(response.errors).toEqual([{ field: 'body.nmae', reason: 'is not a known property' }]);
  });

  it('does not coerce body types ("5" is not 5)', async () => {
    const response = expectStatus(await client.post('/policies', { name: 'p', schedules: [{ cron: '0 1 * * *', retentionDays: '5' }] }), 400);
    expect(response.errors).toEqual([{ field: 'body.schedules.0.retentionDays', reason: 'must be integer' }]);
  });

  it('names every failing field at once', async () => {
    const response = expectStatus<{ errors: { field: string }[] }>(await client.post('/app-hooks', { type: 'NEVER', timeoutSeconds: 0 }), 400);
    expect(response.errors.map((e) => e.field).sort()).toEqual(
      ['body.command', 'body.name', 'body.podSelector', 'body.timeoutSeconds', 'body.type'].sort(),
    );
  });

  it('answers text with a NUL character (which Postgres cannot store) with 400, in a column, a JSON column or a filter', async () => {
    for (const response of [
      await client.post('/clusters', { name: 'described', description: 'a\u0000b' }),
      await client.post('/clusters', { name: 'tagged', tags: { team: 'a\u0000b' } }),
      await client.get('/clusters?name=%00'),
    ]) {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'request', reason: 'contains the NUL character (U+0000)' }] });
    }
    for (const name of ['described', 'tagged']) expect(expectStatus<{ items: unknown[] }>(await client.get(`/clusters?name=${name}`), 200).items).toEqual([]);
  });

  it('refuses an empty If-Match as naming no ETag (412), rather than reading it as absent', async () => {
    const hook = expectStatus<{ id: string }>(await client.post('/app-hooks', { name: 'kept', type: 'PRE_BACKUP', command: ['sync'], podSelector: 'app:db' }), 201);
    expect(expectStatus(await client.delete(`/app-hooks/${hook.id}`, { 'if-match': '' }), 412).errors).toEqual([
      { field: 'headers.if-match', reason: 'expected a quoted version such as "3"' },
    ]);
    expectStatus(await client.get(`/app-hooks/${hook.id}`), 200);
    expectStatus(await client.put(`/app-hooks/${hook.id}`, { name: 'kept', type: 'PRE_BACKUP', command: ['sync'], podSelector: 'app:db' }, { 'if-match': '' }), 412);
  });

  it('answers a path parameter too long for the router, or a malformed URL, with a 400 problem (not Fastify\'s own 414)', async () => {
    for (const url of [`/api/v1/clusters/${'x'.repeat(MAX_PATH_PARAM_LENGTH + 1)}`, '/api/v1/clusters/%E0%A4%A']) {
      const response = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${org.keys.admin}` } });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'params' }] });
    }
  });

  it('answers a malformed id in the path with 400 naming the parameter', async () => {
    const response = expectStatus(await client.get('/clusters/not-a-uuid'), 400);
    expect(response.errors).toEqual([{ field: 'params.id', reason: 'must match format "uuid"' }]);
  });

  it('answers a bad query parameter with 400 naming it', async () => {
    expect(expectStatus(await client.get('/clusters?limit=0'), 400).errors).toEqual([{ field: 'querystring.limit', reason: 'must be >= 1' }]);
    expect(expectStatus(await client.get('/clusters?limit=201'), 400).errors).toEqual([
      { field: 'querystring.limit', reason: 'must be <= 200' },
    ]);
    expect(expectStatus(await client.get('/clusters?cursor=not%20base64url'), 400).errors).toEqual([
      { field: 'querystring.cursor', reason: 'must match pattern "^[A-Za-z0-9_-]*$"' },
    ]);
  });

  it('answers a cursor of the documented shape that this API never issued with 422, not a schema error', async () => {
    expect(expectStatus(await client.get('/clusters?cursor=garbage'), 422).errors).toEqual([
      { field: 'querystring.cursor', reason: 'not a cursor returned by this API' },
    ]);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await client.get('/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'not-found', status: 404 });
  });
});

describe('a request with no body where one is required', () => {
  it.each(['/storage-targets', '/clusters', '/policies', '/app-hooks', '/backup-definitions', '/restores', '/replication-definitions', '/api-keys', '/users'])(
    'POST %s answers 400 naming the body, never 500',
    async (path) => {
      const response = await api.app.inject({ method: 'POST', url: `/api/v1${path}`, headers: { authorization: `Bearer ${org.keys.admin}` } });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ field: expect.stringMatching(/^body/) })] });
    },
  );
});
