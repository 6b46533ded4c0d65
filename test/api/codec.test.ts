import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { connectTemporalClient, type TemporalClientHandle } from '../../lib/common/temporal/client.js';
import { organizationWorkflowId } from '../../lib/common/temporal/names.js';
import { ENCRYPTED_ENCODING } from '../../lib/common/temporal/payload-codec.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import type { previewBackupWorkflow } from '../../workflows/preview.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { expectStatus } from './helpers/fixtures.js';
import { authorized, startTestApi, type TestApi, type TestOrganization } from './helpers/test-api.js';

const UI_ORIGIN = 'http://127.0.0.1:18233';
const marker = uniqueName('codec-marker');
let api: TestApi;
let org: TestOrganization;
let temporal: TemporalClientHandle;
let workflowId: string;
/** The workflow input exactly as Temporal stores it in history. */
let stored: { metadata: Record<string, string>; data: string };

beforeAll(async () => {
  api = await startTestApi({
    env: {
      TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'),
      HAVEN_PAYLOAD_KEY: generateKeyEntry('p1'),
      // Nobody polls this queue: the run only needs to exist, with its input in history.
      HAVEN_CONTROL_TASK_QUEUE: uniqueName('codec-test'),
      TEMPORAL_UI_URL: `${UI_ORIGIN}/`,
    },
  });
  org = await api.createOrganization();
  temporal = await connectTemporalClient(api.config.workflowEngine!, new OrganizationPayloadKeys(api.running.database.db, api.config.workflowEngine!.payloadKeyring));
  workflowId = organizationWorkflowId(org.orgId, uniqueName('codec-run'));
  await temporal.client.workflow.start<typeof previewBackupWorkflow>('previewBackupWorkflow', {
    taskQueue: api.config.workflowEngine!.controlTaskQueue,
    workflowId,
    args: [{ clusterId: marker, timeoutMs: 1000, request: { version: 1, selection: { scope: 'FULL_CLUSTER', namespaces: [], excludedNamespaces: [], resourceTypes: [], labels: { requirements: [] } }, persistentVolumes: { include: true, mode: 'SNAPSHOT_ONLY', snapshotBeforeBackup: true, backupUnsnapshottedPvs: true, methodByStorageClass: {}, excludeUnattachedPvcs: false }, maxNamesPerType: 1 } }],
  });
  // A client without the codec reads history as Temporal keeps it.
  const connection = await Connection.connect({ address: stackEnv('TEMPORAL_ADDRESS') });
  try {
    const history = await new Client({ connection, namespace: api.config.workflowEngine!.namespace }).workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    stored = {
      metadata: Object.fromEntries(Object.entries(payload?.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(payload?.data ?? []).toString('base64'),
    };
  } finally {
    await connection.close();
  }
});

afterAll(async () => {
  await temporal?.client.workflow.getHandle(workflowId).terminate('codec test done').catch(() => undefined);
  await temporal?.close();
  await api?.close();
});

describe('the Temporal remote codec endpoint', () => {
  it('decodes a payload from a run\'s history for an operator', async () => {
    expect(Buffer.from(stored.metadata.encoding ?? '', 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(stored.data, 'base64').toString('latin1')).not.toContain(marker);
    const decoded = expectStatus<{ payloads: { metadata: Record<string, string>; data: string }[] }>(
      await authorized(api.app, org.keys.operator).post('/codec/decode', { payloads: [stored] }),
      200,
    );
    expect(Buffer.from(decoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString('utf8'))).toMatchObject({ clusterId: marker, timeoutMs: 1000 });
  });

  it('encodes what it decodes back into an encrypted payload', async () => {
    const admin = authorized(api.app, org.keys.admin);
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"a":1}').toString('base64') };
    const encoded = expectStatus<{ payloads: { metadata: Record<string, string>; data: string }[] }>(await admin.post('/codec/encode', { payloads: [plain] }), 200);
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const decoded = expectStatus<{ payloads: unknown[] }>(await admin.post('/codec/decode', encoded), 200);
    expect(decoded.payloads).toEqual([plain]);
  });

  it('refuses another organization\'s operator and admin with 403 and no content, and seals what they encode with their own key', async () => {
    const other = await api.createOrganization();
    for (const key of [other.keys.operator, other.keys.admin]) {
      const refused = await authorized(api.app, key).post('/codec/decode', { payloads: [stored] });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain(marker);
      expect(refused.body).not.toContain(Buffer.from(JSON.stringify({ clusterId: marker })).toString('base64').slice(0, 12));
    }
    // What B encodes is B's: A's operator cannot decode it, so nothing B makes passes for A's payload.
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"forged":true}').toString('base64') };
    const forged = expectStatus<{ payloads: { metadata: Record<string, string> }[] }>(await authorized(api.app, other.keys.admin).post('/codec/encode', { payloads: [plain] }), 200);
    expect(Buffer.from(forged.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe(`org.${other.orgId}.1`);
    expect((await authorized(api.app, org.keys.operator).post('/codec/decode', forged)).statusCode).toBe(403);
  });

  it('rotates the organization\'s key for admins: new payloads take the new key, older ones still decode', async () => {
    const admin = authorized(api.app, org.keys.admin);
    expect((await authorized(api.app, org.keys.operator).post('/organization/payload-keys/rotate', {})).statusCode).toBe(403);
    const rotated = expectStatus<{ keyId: string }>(await admin.post('/organization/payload-keys/rotate', {}), 200);
    expect(rotated.keyId).toMatch(new RegExp(`^org\\.${org.orgId}\\.\\d+$`));
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"after":"rotation"}').toString('base64') };
    const sealed = expectStatus<{ payloads: { metadata: Record<string, string> }[] }>(await admin.post('/codec/encode', { payloads: [plain] }), 200);
    expect(Buffer.from(sealed.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe(rotated.keyId);
    const decoded = expectStatus<{ payloads: { data: string }[] }>(await admin.post('/codec/decode', { payloads: [stored, ...sealed.payloads] }), 200);
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toMatchObject({ clusterId: marker });
    expect(decoded.payloads[1]).toEqual(plain);
  });

  it('answers 401 without a valid key and 403 for a viewer', async () => {
    const anonymous = await api.app.inject({ method: 'POST', url: '/api/v1/codec/decode', payload: { payloads: [stored] } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain(marker);
    expect((await authorized(api.app, 'not-a-key').post('/codec/decode', { payloads: [stored] })).statusCode).toBe(401);
    const viewer = await authorized(api.app, org.keys.viewer).post('/codec/decode', { payloads: [stored] });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ code: 'forbidden', detail: 'this needs the operator role; the API key has viewer' });
  });

  it('allows the Temporal UI\'s origin only, answering its preflight without a key', async () => {
    const preflight = await api.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/codec/decode',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');

    const elsewhere = await api.app.inject({ method: 'OPTIONS', url: '/api/v1/codec/decode', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    expect(elsewhere.statusCode).not.toBe(204);

    const fromUi = await authorized(api.app, org.keys.operator).post('/codec/decode', { payloads: [stored] }, { origin: UI_ORIGIN });
    expect(fromUi.statusCode).toBe(200);
    expect(fromUi.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  });
});
