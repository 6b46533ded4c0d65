import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/test-api.js';

/** A build as Vite writes one: index.html and hashed assets. */
const buildDir = mkdtempSync(join(tmpdir(), 'haven-console-'));
let withBuild: TestApi;
let withoutBuild: TestApi;

beforeAll(async () => {
  mkdirSync(join(buildDir, 'assets'));
  writeFileSync(join(buildDir, 'index.html'), '<!doctype html><title>Haven console</title>');
  writeFileSync(join(buildDir, 'assets', 'index-abc.js'), 'console.log(1)');
  [withBuild, withoutBuild] = await Promise.all([
    startTestApi({ env: { HAVEN_CONSOLE_DIR: buildDir } }),
    startTestApi({ env: { HAVEN_CONSOLE_DIR: join(buildDir, 'missing') } }),
  ]);
});

afterAll(async () => {
  await Promise.all([withBuild?.close(), withoutBuild?.close()]);
  rmSync(buildDir, { recursive: true, force: true });
});

describe('the web console as the API serves it (HAVEN_CONSOLE_DIR)', () => {
  it('serves the build at /console/ without a key, and redirects /console there', async () => {
    const index = await withBuild.app.inject({ method: 'GET', url: '/console/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('Haven console');
    const asset = await withBuild.app.inject({ method: 'GET', url: '/console/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const bare = await withBuild.app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/console/');
  });

  it('serves nothing outside the build folder', async () => {
    const escape = await withBuild.app.inject({ method: 'GET', url: '/console/..%2f..%2fetc%2fpasswd' });
    expect(escape.statusCode).toBe(404);
    expect(escape.body).not.toContain('root:');
  });

  it('is absent, not an error, when the folder holds no build', async () => {
    expect((await withoutBuild.app.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(404);
    expect((await withoutBuild.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
