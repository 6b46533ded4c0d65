import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createPolicy, createS3Target, expectStatus } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

let api: TestApi;
let org: TestOrganization;
let client: Client;
const launcher = new RecordingLauncher();

beforeAll(async () => {
  api = await startTestApi({ launcher });
  org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
});
afterAll(() => api?.close());

/** A POST exactly as a client that sends nothing does: no body, and a content type or not. */
function bare(url: string, key: string, contentType?: string) {
  return api.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${key}`, ...(contentType ? { 'content-type': contentType } : {}) },
  });
}

describe('a POST without a body', () => {
  it('to a create is a 400 problem saying the body is missing, with or without a content type', async () => {
    for (const contentType of [undefined, 'application/json']) {
      const response = await bare('/storage-targets', org.keys.admin, contentType);
      expect(response.statusCode, `content type ${contentType}`).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'validation-failed', errors: [{ field: 'body', reason: 'is required' }] });
    }
    expect(expectStatus<{ items: unknown[] }>(await client.get('/storage-targets'), 200).items).toEqual([]);
  });

  it('to an action runs it with its defaults, with or without a content type', async () => {
    const target = await createS3Target(client);
    const cluster = await createCluster(client, { defaultStorageTargetId: target.id });
    const policy = await createPolicy(client);
    const definition = await createBackupDefinition(client, cluster.id, { policyId: policy.id });
    const before = launcher.runs.length;
    for (const contentType of [undefined, 'application/json']) {
      const response = await bare(`/backup-definitions/${definition.id}/actions/run`, org.keys.operator, contentType);
      expect(response.statusCode, `content type ${contentType}: ${response.body}`).toBe(202);
      expect(response.json()).toMatchObject({ definitionId: definition.id, kind: 'BACKUP' });
    }
    expect(launcher.runs.length - before).toBe(2);
    // A preview's options all have defaults too: without a body it gets as far as asking the (absent) agent.
    expect(expectStatus(await bare(`/backup-definitions/${definition.id}/preview`, org.keys.viewer), 409)).toMatchObject({ code: 'agent-not-connected' });
  });

  it('is what the document says: action bodies are optional, create bodies required', async () => {
    const document = (await api.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>> }>();
    expect(document.paths['/api/v1/backup-definitions/{id}/actions/run']?.post?.requestBody?.required).toBe(false);
    expect(document.paths['/api/v1/restores/{id}/actions/run']?.post?.requestBody?.required).toBe(false);
    expect(document.paths['/api/v1/backup-definitions/{id}/preview']?.post?.requestBody?.required).toBe(false);
    expect(document.paths['/api/v1/storage-targets']?.post?.requestBody?.required).toBe(true);
    expect(document.paths['/api/v1/backup-definitions/{id}']?.put?.requestBody?.required).toBe(true);
  });
});
