import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component } from '../component.js';
import { logDir, runDir } from '../paths.js';
import { isRunning, startDaemon, stopGroup, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { bucketReady, ensureBucket, type S3Admin } from '../s3-bucket.js';
import { goInstall } from '../toolchain.js';

// A second S3 implementation, so Object Lock behaviour is tested against more than one server's reading
// of the API. The module proxy serves MinIO only as a pseudo-version (it refuses the RELEASE.* tags).
const version = 'v0.0.0-20260212201848-7aac2a2c5b7c';
const accessKey = 'haven-minio';
const secretKey = 'haven-minio-secret';
const bucket = 'haven';
const logFile = join(logDir, 'minio.log');
let binary = '';

function adminAt(endpoint: string): S3Admin {
  return { endpoint, accessKeyId: accessKey, secretAccessKey: secretKey };
}

async function ready(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return response?.ok ?? false;
}

export const minio: Component = {
  name: 'minio',

  async install() {
    binary = await goInstall('minio', 'minio', 'github.com/minio/minio', version, 'minio');
  },

  async start(previous) {
    const port = await reusablePort(previous?.ports.minio);
    const data = join(runDir, 'minio', 'data');
    mkdirSync(data, { recursive: true });
    const endpoint = `http://127.0.0.1:${port}`;
    // One drive on a plain directory is MinIO's single-node mode, which supports Object Lock. The web
    // console would take a second port, and the update check would reach outside the machine.
    const pid = startDaemon({
      component: 'minio',
      command: binary,
      args: ['server', data, '--address', `127.0.0.1:${port}`],
      env: { MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
      logFile,
    });
    await waitUntil('minio', 'ready', () => ready(endpoint), { timeoutMs: 30_000, logFile, alive: () => isRunning(pid, 'minio') });
    await ensureBucket('minio', adminAt(endpoint), bucket, logFile, { objectLock: true });
    return {
      pids: [pid],
      programHint: 'minio',
      ports: { minio: port },
      env: { MINIO_S3_ENDPOINT: endpoint, MINIO_S3_REGION: 'us-east-1', MINIO_S3_ACCESS_KEY_ID: accessKey, MINIO_S3_SECRET_ACCESS_KEY: secretKey, MINIO_S3_BUCKET: bucket },
    };
  },

  async healthy(state) {
    const endpoint = state.env.MINIO_S3_ENDPOINT;
    return endpoint !== undefined && state.pids.every((p) => isRunning(p, state.programHint)) && bucketReady(adminAt(endpoint), bucket);
  },

  async stop(state) {
    for (const pid of state.pids) await stopGroup(pid);
  },
};
