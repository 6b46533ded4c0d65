import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPOSITORY_CONCURRENCY, repositoryPermits } from '../../activities/control/repository-permits.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { readWorkerConfig, WorkerConfigError } from '../../services/worker/config.js';

const env = { DATABASE_URL: 'postgres://unused', TEMPORAL_ADDRESS: '127.0.0.1:7233', HAVEN_SECRET_KEY: generateKeyEntry('k1'), HAVEN_PAYLOAD_KEY: generateKeyEntry('p1') };

describe('HAVEN_REPOSITORY_CONCURRENCY', () => {
  it('is unset by default (the activities use DEFAULT_REPOSITORY_CONCURRENCY) and read as a whole number', () => {
    expect(DEFAULT_REPOSITORY_CONCURRENCY).toBe(4);
    expect(readWorkerConfig(env).repositoryConcurrency).toBeUndefined();
    expect(readWorkerConfig({ ...env, HAVEN_REPOSITORY_CONCURRENCY: '2' }).repositoryConcurrency).toBe(2);
  });

  it('refuses what is not a whole number of at least 1, naming the variable', () => {
    for (const value of ['0', '-1', '2.5', 'many']) {
      expect(() => readWorkerConfig({ ...env, HAVEN_REPOSITORY_CONCURRENCY: value })).toThrow(WorkerConfigError);
      expect(() => readWorkerConfig({ ...env, HAVEN_REPOSITORY_CONCURRENCY: value })).toThrow(/HAVEN_REPOSITORY_CONCURRENCY/);
    }
  });
});

describe('repository permits', () => {
  it('let no more than their count of works run at once, and the others in turn once one ends', async () => {
    const inTurn = repositoryPermits(2);
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const works = Array.from({ length: 5 }, () =>
      inTurn(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      }),
    );
    await Promise.resolve();
    expect(releases).toHaveLength(2);
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(works);
    expect(most).toBe(2);
  });
});

describe('HAVEN_WORKER_HEALTH_PORT', () => {
  it('is off when unset and read as a port', () => {
    expect(readWorkerConfig(env).healthPort).toBeUndefined();
    expect(readWorkerConfig({ ...env, HAVEN_WORKER_HEALTH_PORT: '8081' }).healthPort).toBe(8081);
  });

  it('refuses what is not a port, naming the variable', () => {
    for (const value of ['0', '65536', 'http', '80.5']) expect(() => readWorkerConfig({ ...env, HAVEN_WORKER_HEALTH_PORT: value })).toThrow(/HAVEN_WORKER_HEALTH_PORT/);
  });
});

describe('HAVEN_WORKFLOW_BUNDLE', () => {
  it('names a file of prebundled workflows, refused at start when it does not exist', () => {
    expect(readWorkerConfig(env).workflowBundle).toBeUndefined();
    expect(readWorkerConfig({ ...env, HAVEN_WORKFLOW_BUNDLE: fileURLToPath(import.meta.url) }).workflowBundle).toEqual({ codePath: fileURLToPath(import.meta.url) });
    expect(() => readWorkerConfig({ ...env, HAVEN_WORKFLOW_BUNDLE: '/nonexistent/workflow-bundle.js' })).toThrow(/HAVEN_WORKFLOW_BUNDLE "\/nonexistent\/workflow-bundle.js" does not exist/);
  });
});
