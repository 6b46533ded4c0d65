import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TYPES_PATH, renderClientTypes } from '../../scripts/generate-client.js';
import { openApiDocument } from '../../services/api/openapi-document.js';
import { startTestApi } from '../api/helpers/test-api.js';
import type { TestApi } from '../api/helpers/test-api.js';

/** The CLI's client types are generated, committed, and never allowed to drift from what the API serves. */
let api: TestApi;
let served: Record<string, unknown>;

beforeAll(async () => {
  api = await startTestApi();
  served = (await api.app.inject({ url: '/openapi.json' })).json();
});
afterAll(() => api?.close());

describe('the generated client types (lib/client/openapi.d.ts)', () => {
  it('are what openapi-typescript makes of the document the API serves today: run `npm run generate:client` when this fails', async () => {
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(await renderClientTypes(served));
  });

  it('come from a document built without a database that is the served one', async () => {
    expect(await openApiDocument()).toEqual(served);
  });
});
