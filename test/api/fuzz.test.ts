import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { pythonVenv } from '../../scripts/stack/toolchain.js';
import { stackEnv } from '../support/stack-env.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { startTestApi } from './helpers/test-api.js';
import { useMotoEndpoints } from '../rds/helpers/aws.js';
import type { TestApi, TestOrganization } from './helpers/test-api.js';

/** Pinned: a new release brings new checks, which should arrive as a deliberate change. */
const SCHEMATHESIS_VERSION = '4.32.5';
/** Generated requests per operation and phase: enough to find a 500 or an undocumented answer, few enough for CI. */
const EXAMPLES_PER_OPERATION = 10;
const CHECKS = [
  // What the server answers: never a 5xx; only documented statuses, content types and bodies.
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  // What the document says of requests: what it allows is accepted, what it forbids is refused (schemathesis.toml).
  'positive_data_acceptance',
  'negative_data_rejection',
];
const CONFIG = join(import.meta.dirname, 'schemathesis.toml');

let api: TestApi;
let org: TestOrganization;
let baseUrl: string;
let schemathesis: string;

beforeAll(async () => {
  // Installed once into the stack's cache (scripts/stack/toolchain.ts), like moto.
  const bin = await pythonVenv('schemathesis', `schemathesis-${SCHEMATHESIS_VERSION}`, [`schemathesis==${SCHEMATHESIS_VERSION}`], 'st');
  schemathesis = join(bin, 'st');
  // Cloud accounts are checked with AWS when created: moto's STS and IAM, never the real ones.
  useMotoEndpoints();
  api = await startTestApi({
    // Runs are recorded, not started: the fuzzer must not leave workflows on the shared Temporal.
    launcher: new RecordingLauncher(),
    env: {
      // Payload keys configured, so the codec and key rotation answer as in production rather than 501.
      TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'),
      HAVEN_PAYLOAD_KEY: generateKeyEntry('fuzz'),
      // Thousands of requests in a minute: budgets would turn most of them into 429s that test nothing.
      HAVEN_RATE_LIMIT_PER_KEY: '1000000',
      HAVEN_RATE_LIMIT_PER_ADDRESS: '1000000',
      HAVEN_RATE_LIMIT_PER_ORGANIZATION: '1000000',
    },
  });
  // A fresh organization of its own: whatever the generated requests create, change or delete stays in it.
  org = await api.createOrganization('fuzzed');
  baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => api?.close());

describe('the API against its own OpenAPI document (schemathesis)', () => {
  it('answers every generated request of every operation without a server error, as documented', async () => {
    const args = [
      '--config-file', CONFIG,
      'run', `${baseUrl}/openapi.json`,
      '--url', baseUrl,
      '--header', `Authorization: Bearer ${org.keys.admin}`,
      '--checks', CHECKS.join(','),
      '--max-examples', String(EXAMPLES_PER_OPERATION),
      '--workers', '2',
      '--no-color',
    ];
    const run = () => {
      // Its own working directory: schemathesis keeps a cache of crashes there.
      const cwd = mkdtempSync(join(tmpdir(), 'haven-schemathesis-'));
      return promisify(execFile)(schemathesis, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 })
        .then(
          (done) => ({ code: 0, output: done.stdout + done.stderr }),
          (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
        )
        .finally(() => rmSync(cwd, { recursive: true, force: true }));
    };
    let result = await run();
    // CPython 3.11's ast module can fail under schemathesis's worker threads while it describes a generated
    // strategy (python/cpython#106905): the engine's own crash, before any request. Only that is run again.
    if (result.code !== 0 && result.output.includes('SystemError: AST constructor recursion depth mismatch')) result = await run();
    const summary = result.output.slice(result.output.lastIndexOf('= SUMMARY ='));
    // Its report names each failure with a curl command that reproduces it.
    expect(result.code, result.output.slice(result.output.indexOf('= FAILURES =') >= 0 ? result.output.indexOf('= FAILURES =') : -20_000)).toBe(0);
    expect(summary).toMatch(new RegExp(`Tested: ${await operationCount()}\\b`));
    expect(summary).not.toMatch(/failures?,|errors?,/);
  }, 900_000);
});

async function operationCount(): Promise<number> {
  const document = (await api.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, object> }>();
  return Object.values(document.paths).reduce((sum, operations) => sum + Object.keys(operations).length, 0);
}
