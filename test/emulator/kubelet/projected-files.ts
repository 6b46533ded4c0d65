import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { V1KeyToPath, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { readOptional } from '../support/kube-api.js';
import { VolumeNotReady } from './errors.js';

type Files = Map<string, Buffer>;

/** Writes the files of configMap, secret, downwardAPI and projected volumes, as the kubelet's plugins do. */
export async function writeProjectedFiles(ctx: EmulatorContext, pod: V1Pod, volume: V1Volume, target: string): Promise<void> {
  const files: Files = new Map();
  const namespace = pod.metadata?.namespace ?? '';
  if (volume.configMap) await addConfigMap(ctx, namespace, volume.configMap.name ?? '', volume.configMap.items, volume.configMap.optional, files);
  if (volume.secret) await addSecret(ctx, namespace, volume.secret.secretName ?? '', volume.secret.items, volume.secret.optional, files);
  if (volume.downwardAPI) addDownward(pod, volume.downwardAPI.items ?? [], files);
  for (const source of volume.projected?.sources ?? []) {
    if (source.configMap) await addConfigMap(ctx, namespace, source.configMap.name ?? '', source.configMap.items, source.configMap.optional, files);
    if (source.secret) await addSecret(ctx, namespace, source.secret.name ?? '', source.secret.items, source.secret.optional, files);
    if (source.downwardAPI) addDownward(pod, source.downwardAPI.items ?? [], files);
    if (source.serviceAccountToken) await addToken(ctx, pod, source.serviceAccountToken.path, source.serviceAccountToken.expirationSeconds, files);
  }
  for (const [path, content] of files) {
    const file = join(target, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content, { mode: volume.secret ? 0o600 : 0o644 });
  }
}

async function addConfigMap(ctx: EmulatorContext, namespace: string, name: string, items: V1KeyToPath[] | undefined, optional: boolean | undefined, files: Files) {
  const configMap = await readOptional(() => ctx.api.core.readNamespacedConfigMap({ namespace, name }));
  if (!configMap) {
    if (optional) return;
    throw new VolumeNotReady(`configmap "${name}" not found`);
  }
  const data = new Map<string, Buffer>(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
  for (const [k, v] of Object.entries(configMap.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  select(data, items, files);
}

async function addSecret(ctx: EmulatorContext, namespace: string, name: string, items: V1KeyToPath[] | undefined, optional: boolean | undefined, files: Files) {
  const secret = await readOptional(() => ctx.api.core.readNamespacedSecret({ namespace, name }));
  if (!secret) {
    if (optional) return;
    throw new VolumeNotReady(`secret "${name}" not found`);
  }
  select(new Map(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])), items, files);
}

function select(data: Map<string, Buffer>, items: V1KeyToPath[] | undefined, files: Files): void {
  if (!items) {
    for (const [key, value] of data) files.set(key, value);
    return;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value) files.set(item.path, value);
  }
}

function addDownward(pod: V1Pod, items: Array<{ path: string; fieldRef?: { fieldPath: string } }>, files: Files): void {
  for (const item of items) {
    const value = item.fieldRef ? podField(pod, item.fieldRef.fieldPath) : undefined;
    if (value !== undefined) files.set(item.path, Buffer.from(value));
  }
}

/** A bound service-account token from the TokenRequest API, so processes can call the API server. */
async function addToken(ctx: EmulatorContext, pod: V1Pod, path: string, expirationSeconds: number | undefined, files: Files) {
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  const response = await ctx.api.core.createNamespacedServiceAccountToken({
    namespace: pod.metadata?.namespace ?? '',
    name: serviceAccount,
    body: {
      spec: {
        audiences: [],
        expirationSeconds: expirationSeconds ?? 3607,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    },
  });
  files.set(path, Buffer.from(response.status?.token ?? ''));
}

/** The downward API fields a pod's env and files may reference. */
export function podField(pod: V1Pod, fieldPath: string): string | undefined {
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (label) return pod.metadata?.labels?.[label[1] as string];
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (annotation) return pod.metadata?.annotations?.[annotation[1] as string];
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace;
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.podIP':
      return pod.status?.podIP;
    case 'status.hostIP':
      return pod.status?.hostIP ?? '127.0.0.1';
    default:
      return undefined;
  }
}
