import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from './helpers/test-api.js';
import type { TestApi } from './helpers/test-api.js';

let api: TestApi;
type Schema = { properties?: Record<string, Schema>; required?: string[]; [key: string]: unknown };
let document: { openapi: string; paths: Record<string, Record<string, { operationId?: string; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, unknown> }>> };

beforeAll(async () => {
  api = await startTestApi();
  document = (await api.app.inject({ url: '/openapi.json' })).json();
});
afterAll(() => api?.close());

function requestSchema(path: string, method: string): Schema {
  const body = document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!body) throw new Error(`no request body for ${method} ${path}`);
  return body;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and covers every resource', () => {
    // 3.1: map key rules (`propertyNames`) are not allowed in 3.0's schema dialect.
    expect(document.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v1/organization',
      '/api/v1/api-keys',
      '/api/v1/storage-targets',
      '/api/v1/clusters',
      '/api/v1/clusters/{id}/agent-token',
      '/api/v1/policies',
      '/api/v1/app-hooks',
      '/api/v1/backup-definitions',
      '/api/v1/backup-definitions/{id}/actions/run',
      '/api/v1/backup-definitions/{id}/actions/pause',
      '/api/v1/backup-definitions/{id}/destination',
      '/api/v1/replication-definitions',
      '/api/v1/restores',
      '/api/v1/jobs',
      '/api/v1/jobs/{id}/actions/cancel',
      '/api/v1/recovery-points/{id}',
      '/api/v1/recovery-points/{id}/actions/release',
    ]) {
      expect(Object.keys(document.paths)).toContain(path);
    }
  });

  it('carries the backup definition ranges, defaults and enums', () => {
    const body = requestSchema('/api/v1/backup-definitions', 'post');
    const advanced = body.properties?.advanced?.properties as Record<string, Schema>;
    expect(advanced.concurrentPvs).toMatchObject({ minimum: 1, maximum: 16, default: 2 });
    expect(advanced.totalConcurrentFiles).toMatchObject({ default: 24 });
    expect(advanced.dataMoverMemoryLimitMiB).toMatchObject({ minimum: 512, maximum: 8192, default: 1024 });
    expect(advanced.csiSnapshotTimeoutMinutes).toMatchObject({ default: 10 });
    expect(advanced.maxSpeedPerStreamMBps).toMatchObject({ type: ['integer', 'null'], default: null, minimum: 1 });
    const pv = body.properties?.persistentVolumes?.properties as Record<string, Schema>;
    expect(pv.include).toMatchObject({ default: true });
    expect(pv.mode).toMatchObject({ enum: ['SNAPSHOT_ONLY', 'BACKUP_TO_OBJECT_STORAGE'] });
    expect(pv.methodByStorageClass?.additionalProperties).toMatchObject({ enum: ['SNAPSHOT', 'PVC', 'HOST', 'SKIP'] });
    expect(body.properties?.selection?.properties?.scope).toMatchObject({ default: 'FULL_CLUSTER' });
    expect(body.required).toEqual(expect.arrayContaining(['name', 'clusterId']));
  });

  it('carries restore, replication, cluster and hook defaults', () => {
    const restore = requestSchema('/api/v1/restores', 'post');
    expect(restore.properties?.persistentVolumes?.properties?.totalConcurrentFiles).toMatchObject({ default: 16 });
    expect(restore.properties?.existingResources).toMatchObject({ enum: ['SKIP', 'UPDATE'], default: 'SKIP' });
    const replication = requestSchema('/api/v1/replication-definitions', 'post');
    expect(replication.properties?.runNow).toMatchObject({ default: true });
    expect(replication.properties?.destination?.properties?.namespaces).toMatchObject({ minItems: 1 });
    const cluster = requestSchema('/api/v1/clusters', 'post');
    expect(cluster.properties?.kubeletPodsDir).toMatchObject({ default: '/var/lib/kubelet/pods' });
    const hook = requestSchema('/api/v1/app-hooks', 'post');
    expect(hook.properties?.timeoutSeconds).toMatchObject({ default: 30 });
    expect(hook.properties?.onError).toMatchObject({ enum: ['FAIL', 'CONTINUE'], default: 'FAIL' });
    const policy = requestSchema('/api/v1/policies', 'post');
    expect(policy.properties?.schedules).toMatchObject({ minItems: 1 });
  });

  it('declares the storage target kinds with a discriminator and marks credentials write-only', () => {
    const body = requestSchema('/api/v1/storage-targets', 'post');
    expect(body).toMatchObject({ discriminator: { propertyName: 'kind' } });
    const response = JSON.stringify(document.paths['/api/v1/storage-targets/{id}']?.get?.responses);
    expect(response).not.toContain('secretAccessKey');
  });

  it('declares the release of a recovery point with its kept snapshots and every refusal', () => {
    const operation = document.paths['/api/v1/recovery-points/{id}/actions/release']?.post;
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['202', '403', '404', '409', '501']));
    const accepted = JSON.stringify(operation?.responses['202']);
    for (const field of ['workflowId', 'keptSnapshots', 'snapshotHandle', 'contentName']) expect(accepted).toContain(field);
  });

  it('declares problem responses on every route', () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['400', '401', '403', '429', '500']));
      }
    }
  });
});

describe('request rules the server applies, as the document states them', () => {
  type Operation = { parameters?: Array<{ name: string; in: string; required?: boolean; schema: Schema }>; requestBody?: { content: Record<string, { schema: Schema }> } };
  const operation = (path: string, method: string) => (document.paths[path] as unknown as Record<string, Operation>)[method]!;

  it('leaves out of `required` what has a default (the server fills it in), in bodies and query parameters', () => {
    const body = requestSchema('/api/v1/clusters', 'post');
    expect(body.required).toEqual(['name']);
    const cluster = (document.paths['/api/v1/clusters']?.get as unknown as Operation).parameters?.find((p) => p.name === 'limit');
    expect(cluster).toMatchObject({ in: 'query', required: false, schema: { default: 25 } });
    // Responses always carry those fields: they stay required there.
    const created = (document.paths['/api/v1/clusters']?.post?.responses['201'] as { content: Record<string, { schema: Schema }> }).content['application/json']?.schema;
    expect(created?.required).toEqual(expect.arrayContaining(['name', 'kubeletPodsDir', 'tags']));
  });

  it('declares If-Match: required where its absence is a 428, optional where it is only checked', () => {
    const ifMatch = (path: string, method: string) => operation(path, method).parameters?.find((p) => p.in === 'header' && p.name === 'If-Match');
    expect(ifMatch('/api/v1/backup-definitions/{id}', 'put')).toMatchObject({ required: true, schema: { type: 'string', pattern: expect.any(String) } });
    expect(ifMatch('/api/v1/organization', 'put')).toMatchObject({ required: true });
    expect(ifMatch('/api/v1/clusters/{id}', 'delete')).toMatchObject({ required: false });
    expect(ifMatch('/api/v1/api-keys/{id}', 'delete')).toBeUndefined();
    expect(ifMatch('/api/v1/clusters/{id}', 'get')).toBeUndefined();
  });

  it('writes every pattern so that it means the same in any regex dialect a client checks it with', () => {
    const patterns = new Set<string>();
    JSON.stringify(document, (key, value: unknown) => {
      if (key === 'pattern' && typeof value === 'string') patterns.add(value);
      return value;
    });
    expect(patterns.size).toBeGreaterThan(5);
    // `.`, `\s`, `\S`, `\d`, `\w` and `\b` match different characters in JavaScript (the server's Ajv) and
    // Python or Go (schemathesis, generated clients): JavaScript's `.` stops at \r, Python's `\s` takes \x1c.
    const dependsOnDialect = (pattern: string) => {
      const unescaped = pattern.replace(/\\\\/g, '');
      const outsideBrackets = unescaped.replace(/\[(?:\\.|[^\]])*\]/g, '[]');
      return /\\[sSdDwW]/.test(unescaped) || /(?<!\\)\.|\\[bB]/.test(outsideBrackets);
    };
    expect([...patterns].filter(dependsOnDialect)).toEqual([]);
  });

  it('says no request string may hold a NUL character, and states map key patterns', () => {
    const body = requestSchema('/api/v1/clusters', 'post');
    expect(body.properties?.name).toMatchObject({ not: { pattern: '\\x00' } });
    expect(body.properties?.tags).toMatchObject({ propertyNames: { pattern: expect.any(String) }, additionalProperties: { not: { pattern: '\\x00' } } });
    expect(operation('/api/v1/clusters', 'get').parameters?.find((p) => p.name === 'name')?.schema).toMatchObject({ not: { pattern: '\\x00' } });
    // A uuid cannot hold one: no rule is added where the format already excludes it.
    expect(body.properties?.defaultStorageTargetId).not.toHaveProperty('not');
  });
});

describe('operation ids', () => {
  it('name every operation once, as a camelCase method name derived from its route', () => {
    const ids = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ where: `${method} ${path}`, id: operation.operationId })),
    );
    expect(ids.length).toBeGreaterThan(60);
    expect(ids.filter(({ id }) => id === undefined).map(({ where }) => where)).toEqual([]);
    for (const { id, where } of ids) expect(id, where).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    const seen = new Map<string, string>();
    for (const { id, where } of ids) {
      expect(seen.get(id!), `${where} repeats the operationId ${id}`).toBeUndefined();
      seen.set(id!, where);
    }
    expect(Object.fromEntries(['get /api/v1/backup-definitions', 'post /api/v1/backup-definitions/{id}/actions/run', 'get /api/v1/users/me'].map((w) => [w, ids.find((i) => i.where === w)?.id]))).toEqual({
      'get /api/v1/backup-definitions': 'listBackupDefinitions',
      'post /api/v1/backup-definitions/{id}/actions/run': 'runBackupDefinition',
      'get /api/v1/users/me': 'getCurrentUser',
    });
  });
});

describe('the document as a linter reads it', () => {
  it('has no problem Redocly\'s recommended rules (and redocly.yaml) find', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haven-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      // Pretty-printed, so a problem's line number points somewhere readable.
      writeFileSync(file, JSON.stringify(document, null, 2));
      // `redocly` is @redocly/cli from devDependencies (node_modules/.bin is on PATH under npm and runtime.sh).
      const result = await promisify(execFile)('redocly', ['lint', file, '--format=json', '--max-problems=1000'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { totals: Record<string, number>; problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> };
      const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('error responses in the OpenAPI document', () => {
  it('are application/problem+json with the problem schema on every operation, as the server sends them', async () => {
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const content = (response as { content?: Record<string, { schema?: Schema }> }).content ?? {};
          expect(Object.keys(content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
          expect(content['application/problem+json']?.schema?.required, `${method} ${path} ${status}`).toEqual(expect.arrayContaining(['type', 'status', 'code']));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    const served = await api.app.inject({ method: 'GET', url: '/api/v1/clusters' });
    expect(served.statusCode).toBe(401);
    expect(served.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
