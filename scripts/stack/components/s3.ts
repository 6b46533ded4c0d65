import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component } from '../component.js';
import { logDir, runDir } from '../paths.js';
import { isRunning, startDaemon, stopGroup, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { bucketReady, ensureBucket, s3Answers, type S3Admin } from '../s3-bucket.js';
import { goInstall } from '../toolchain.js';

// versitygw serves S3 over a plain directory tree and implements Object Lock (retention, legal hold).
const version = 'v1.7.0';
const accessKey = 'haven-local';
const secretKey = 'haven-local-secret';
const bucket = 'haven';
// Without Object Lock: what most users' buckets are, and what SafeLock must be refused on.
const plainBucket = 'haven-plain';
const logFile = join(logDir, 's3.log');
// The stack's S3 servers listen on loopback: the installation it stands for allows storage there.
const LOOPBACK = '127.0.0.0/8';
let binary = '';

function adminAt(endpoint: string): S3Admin {
  return { endpoint, accessKeyId: accessKey, secretAccessKey: secretKey };
}

export const s3: Component = {
  name: 's3',

  async install() {
    binary = await goInstall('s3', 'versitygw', 'github.com/versity/versitygw/cmd/versitygw', version, 'versitygw');
  },

  async start(previous) {
    const port = await reusablePort(previous?.ports.s3);
    const root = join(runDir, 's3', 'root');
    const versions = join(runDir, 's3', 'versions');
    const meta = join(runDir, 's3', 'meta');
    mkdirSync(root, { recursive: true });
    mkdirSync(versions, { recursive: true });
    // Before the daemon starts: versitygw stats its sidecar directory at once and exits when it is missing.
    mkdirSync(meta, { recursive: true });
    const endpoint = `http://127.0.0.1:${port}`;
    // --sidecar keeps object metadata in files beside the data, so no xattr support is needed from the filesystem.
    const pid = startDaemon({
      component: 's3',
      command: binary,
      args: ['--port', `127.0.0.1:${port}`, 'posix', '--sidecar', meta, '--versioning-dir', versions, root],
      env: { ROOT_ACCESS_KEY: accessKey, ROOT_SECRET_KEY: secretKey },
      logFile,
    });
    const alive = (): boolean => isRunning(pid, 'versitygw');
    const admin = adminAt(endpoint);
    await waitUntil('s3', 'listening', () => s3Answers(admin, bucket), { timeoutMs: 30_000, logFile, alive });
    await ensureBucket('s3', admin, bucket, logFile, { objectLock: true });
    await ensureBucket('s3', admin, plainBucket, logFile, { objectLock: false });
    return {
      pids: [pid],
      programHint: 'versitygw',
      ports: { s3: port },
      env: { S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: accessKey, S3_SECRET_ACCESS_KEY: secretKey, S3_BUCKET: bucket, S3_PLAIN_BUCKET: plainBucket, S3_FORCE_PATH_STYLE: 'true', HAVEN_STORAGE_PRIVATE_NETWORKS: LOOPBACK },
    };
  },

  async healthy(state) {
    const endpoint = state.env.S3_ENDPOINT;
    return endpoint !== undefined && state.pids.every((p) => isRunning(p, state.programHint)) && bucketReady(adminAt(endpoint), bucket);
  },

  async stop(state) {
    for (const pid of state.pids) await stopGroup(pid);
  },
};
