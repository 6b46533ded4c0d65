import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Component } from '../component.js';
import { logDir, runDir } from '../paths.js';
import { StackComponentError } from '../progress.js';
import { isRunning, startDaemon, stopGroup, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { goInstall } from '../toolchain.js';

// versitygw serves S3 over a plain directory tree and implements Object Lock (retention, legal hold).
const version = 'v1.7.0';
const accessKey = 'haven-local';
const secretKey = 'haven-local-secret';
const bucket = 'haven';
// Without Object Lock: what most users' buckets are, and what SafeLock must be refused on.
const plainBucket = 'haven-plain';
const logFile = join(logDir, 's3.log');
let binary = '';

function client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
    maxAttempts: 1,
  });
}

async function bucketReady(endpoint: string): Promise<boolean> {
  const s3 = client(endpoint);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

async function ensureBucket(endpoint: string, name: string, objectLock: boolean): Promise<void> {
  const s3 = client(endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: objectLock }));
  } catch (err) {
    const code = err instanceof S3ServiceException ? err.name : '';
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') {
      throw new StackComponentError('s3', `could not create bucket ${name}${objectLock ? ' with object lock' : ''}: ${String(err)}`, logFile);
    }
  } finally {
    s3.destroy();
  }
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
    mkdirSync(root, { recursive: true });
    mkdirSync(versions, { recursive: true });
    const endpoint = `http://127.0.0.1:${port}`;
    // --sidecar keeps object metadata in files beside the data, so no xattr support is needed from the filesystem.
    const pid = startDaemon({
      component: 's3',
      command: binary,
      args: ['--port', `127.0.0.1:${port}`, 'posix', '--sidecar', join(runDir, 's3', 'meta'), '--versioning-dir', versions, root],
      env: { ROOT_ACCESS_KEY: accessKey, ROOT_SECRET_KEY: secretKey },
      logFile,
    });
    mkdirSync(join(runDir, 's3', 'meta'), { recursive: true });
    const alive = (): boolean => isRunning(pid, 'versitygw');
    await waitUntil('s3', 'listening', async () => {
      const s3c = client(endpoint);
      try {
        await s3c.send(new HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch (err) {
        // Any S3 answer (even NotFound) proves the server is up.
        return err instanceof S3ServiceException;
      } finally {
        s3c.destroy();
      }
    }, { timeoutMs: 30_000, logFile, alive });
    await ensureBucket(endpoint, bucket, true);
    await ensureBucket(endpoint, plainBucket, false);
    return {
      pids: [pid],
      programHint: 'versitygw',
      ports: { s3: port },
      env: { S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: accessKey, S3_SECRET_ACCESS_KEY: secretKey, S3_BUCKET: bucket, S3_PLAIN_BUCKET: plainBucket, S3_FORCE_PATH_STYLE: 'true' },
    };
  },

  async healthy(state) {
    const endpoint = state.env.S3_ENDPOINT;
    return endpoint !== undefined && state.pids.every((p) => isRunning(p, state.programHint)) && bucketReady(endpoint);
  },

  async stop(state) {
    for (const pid of state.pids) await stopGroup(pid);
  },
};
