import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  StorageV1Api,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';

/** The API clients every emulated component shares; one set per emulated cluster. */
export interface KubeApi {
  config: KubeConfig;
  core: CoreV1Api;
  storage: StorageV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
}

export function connect(kubeconfig: string | KubeConfig): KubeApi {
  const config = typeof kubeconfig === 'string' ? loadKubeConfig(kubeconfig) : kubeconfig;
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    storage: config.makeApiClient(StorageV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    watch: new Watch(config),
  };
}

export function loadKubeConfig(path: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(path);
  return config;
}

/** Options for the typed client's patch calls, which otherwise send JSON Patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export const snapshotGroup = 'snapshot.storage.k8s.io';
export const snapshotVersion = 'v1';
export const volumeSnapshots = { group: snapshotGroup, version: snapshotVersion, plural: 'volumesnapshots' } as const;
export const volumeSnapshotContents = { group: snapshotGroup, version: snapshotVersion, plural: 'volumesnapshotcontents' } as const;
export const volumeSnapshotClasses = { group: snapshotGroup, version: snapshotVersion, plural: 'volumesnapshotclasses' } as const;

export function httpStatus(err: unknown): number | undefined {
  return err && typeof err === 'object' ? (err as { code?: number }).code : undefined;
}

export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
export const isAlreadyExists = (err: unknown): boolean => httpStatus(err) === 409;

/** Reads an object, mapping 404 to undefined: most reconciles treat "gone" as a state, not a failure. */
export async function readOptional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates an object unless one by that name exists; controllers must be idempotent across restarts. */
export async function createIfAbsent(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** RFC 3339 without fractions, as the API server prints metav1.Time. */
export function kubeTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function objectKey(meta: { namespace?: string; name?: string } | undefined): string {
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? ''}` : (meta?.name ?? '');
}
