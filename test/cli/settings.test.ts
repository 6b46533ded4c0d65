import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../api/helpers/test-api.js';
import type { TestApi, TestOrganization } from '../api/helpers/test-api.js';
import { runHaven } from './helpers/haven-cli.js';

/**
 * Where `haven` finds the server and the key: flags, then HAVEN_SERVER / HAVEN_API_KEY, then the config file.
 * Each case gives the winning source the working value and every weaker one a wrong value, so a wrong
 * order shows as a 401 or an unreachable server.
 */
let api: TestApi;
let org: TestOrganization;
let server: string;
const NOWHERE = 'http://127.0.0.1:9';
const WRONG_KEY = 'a-key-this-api-never-issued-0000000000';
const dir = mkdtempSync(join(tmpdir(), 'haven-cli-config-'));

beforeAll(async () => {
  api = await startTestApi();
  org = await api.createOrganization();
  server = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => api?.close());

function configFile(content: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, content);
  return path;
}

describe('haven settings', () => {
  it('the config file alone is enough', async () => {
    const run = await runHaven(['cluster', 'list'], { HAVEN_CONFIG: configFile(`server: ${server}\napiKey: ${org.keys.viewer}\n`) });
    expect(run.code, run.stderr).toBe(0);
  });

  it('the environment wins over the config file', async () => {
    const run = await runHaven(['cluster', 'list'], {
      HAVEN_CONFIG: configFile(`server: ${NOWHERE}\napiKey: ${WRONG_KEY}\n`),
      HAVEN_SERVER: server,
      HAVEN_API_KEY: org.keys.viewer,
    });
    expect(run.code, run.stderr).toBe(0);
  });

  it('flags win over the environment and the config file', async () => {
    const run = await runHaven(['cluster', 'list', '--server', server, '--api-key', org.keys.viewer], {
      HAVEN_CONFIG: configFile(`server: ${NOWHERE}\napiKey: ${WRONG_KEY}\n`),
      HAVEN_SERVER: NOWHERE,
      HAVEN_API_KEY: WRONG_KEY,
    });
    expect(run.code, run.stderr).toBe(0);
  });

  it('a wrong key is refused by the API, which proves the key is sent', async () => {
    const run = await runHaven(['cluster', 'list', '--server', server, '--api-key', WRONG_KEY]);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: 401 unauthenticated: [^\n]+\n$/) });
  });

  it('reads ~/.config/haven/config.yaml when HAVEN_CONFIG is not set', async () => {
    const home = mkdtempSync(join(tmpdir(), 'haven-cli-home-'));
    mkdirSync(join(home, '.config/haven'), { recursive: true });
    writeFileSync(join(home, '.config/haven/config.yaml'), `server: ${server}\napiKey: ${org.keys.viewer}\n`);
    const run = await runHaven(['cluster', 'list'], { HOME: home });
    expect(run.code, run.stderr).toBe(0);
  });

  it.each([
    ['an unknown key', `server: ${NOWHERE}\napi_key: x\n`, /unknown key "api_key" \(known: server, apiKey\)/],
    ['not YAML', 'server: [\n', /not YAML/],
    ['a server that is not a URL', 'server: localhost:8080\napiKey: x\n', /server "localhost:8080" \(from config file\) must be http:\/\/ or https:\/\//],
  ])('a config file with %s is named in one line (exit code 2)', async (_case, content, message) => {
    const path = configFile(content);
    const run = await runHaven(['cluster', 'list'], { HAVEN_CONFIG: path });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('HAVEN_CONFIG naming a missing file is an error, and no key at all says where to put one', async () => {
    const missing = await runHaven(['cluster', 'list'], { HAVEN_CONFIG: join(dir, 'absent.yaml') });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('absent.yaml') });
    const none = await runHaven(['cluster', 'list'], { HAVEN_SERVER: server });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Error: no API key: pass --api-key, set HAVEN_API_KEY, or put apiKey: in .*config\.yaml\n$/) });
  });
});
