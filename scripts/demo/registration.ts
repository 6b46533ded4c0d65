import type { HavenApi } from './api-client.js';

/** What the demo registers from the stack's environment (`npm run stack -- env`). */
export interface StackStorage {
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_BUCKET: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
}

export const DEMO_TARGET = 'local-s3';
export const DEMO_CLUSTER = 'local';
/** The demo's repository lives under this prefix of the stack's bucket. */
export const DEMO_PREFIX = 'demo';

interface StorageTargetView {
  id: string;
  name: string;
  endpoint?: string;
  region?: string;
  bucket?: string;
  prefix?: string;
  pathStyle?: boolean;
  skipTlsVerify?: boolean;
  objectLockCapable: boolean;
}

/**
 * The storage target for the stack's S3 server: created on the first run; on later runs brought to where
 * the server is now. The stack keeps its ports across restarts, but another program may have taken one
 * meanwhile, and a target still naming the old endpoint fails every backup with ECONNREFUSED.
 */
export async function ensureStorageTarget(api: HavenApi, stack: StackStorage): Promise<{ id: string; updated: boolean }> {
  const wanted = { endpoint: stack.S3_ENDPOINT, region: stack.S3_REGION, bucket: stack.S3_BUCKET };
  const existing = await api.findByName<StorageTargetView>('storage-targets', DEMO_TARGET);
  const credentials = { accessKeyId: stack.S3_ACCESS_KEY_ID, secretAccessKey: stack.S3_SECRET_ACCESS_KEY };
  if (!existing) {
    const created = await api.post<{ id: string }>('/storage-targets', {
      name: DEMO_TARGET, kind: 'S3', ...wanted, prefix: DEMO_PREFIX, pathStyle: true, objectLockCapable: true, credentials,
    });
    return { id: created.id, updated: false };
  }
  if (existing.endpoint === wanted.endpoint && existing.region === wanted.region && existing.bucket === wanted.bucket) return { id: existing.id, updated: false };
  const { etag } = await api.call<StorageTargetView>('GET', `/storage-targets/${existing.id}`);
  await api.call('PUT', `/storage-targets/${existing.id}`, {
    name: existing.name, kind: 'S3', ...wanted, prefix: existing.prefix ?? DEMO_PREFIX, pathStyle: existing.pathStyle ?? true,
    skipTlsVerify: existing.skipTlsVerify ?? false, objectLockCapable: existing.objectLockCapable, credentials,
  }, { 'If-Match': etag ?? '' });
  return { id: existing.id, updated: true };
}

/** The demo cluster, backed up to the demo target by default. */
export async function ensureCluster(api: HavenApi, storageTargetId: string): Promise<{ id: string }> {
  const existing = await api.findByName<{ id: string; name: string }>('clusters', DEMO_CLUSTER);
  return existing ?? api.post<{ id: string }>('/clusters', { name: DEMO_CLUSTER, defaultStorageTargetId: storageTargetId });
}

/**
 * A fresh agent token at each start: the demo does not keep the one shown at registration, and the
 * gateway refuses the previous one from now on.
 */
export async function issueAgentToken(api: HavenApi, clusterId: string): Promise<string> {
  return (await api.post<{ agentToken: string }>(`/clusters/${clusterId}/agent-token`, {})).agentToken;
}
