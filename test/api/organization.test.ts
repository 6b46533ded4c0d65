import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { TestApi, TestOrganization } from './helpers/test-api.js';

let api: TestApi;
let org: TestOrganization;

beforeAll(async () => {
  api = await startTestApi();
  org = await api.createOrganization('acme');
});
afterAll(() => api?.close());

describe('organization', () => {
  it('reads the caller organization with an ETag', async () => {
    const response = await authorized(api.app, org.keys.viewer).get('/organization');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: org.orgId, name: 'acme', preferences: { defaultStorageTargetId: null }, version: 1 });
    expect(response.headers.etag).toBe('"1"');
  });
});
