import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { NodeEmulator } from '../../test/emulator/node-emulator.js';
import { volumeDigest } from '../../test/fixtures/volume-digest.js';
import { boundVolume } from './sample-app.js';

/**
 * What the application is, as the verification compares it before the backup and after the restore:
 * each resource reduced to what its owner wrote (server-set fields such as uids, cluster IPs and
 * timestamps differ on any restore), and each volume's content digest (paths, modes, bytes).
 */
export interface Inventory {
  resources: Map<string, string>;
  volumes: Map<string, string>;
}

const labelsOf = (metadata: { labels?: Record<string, string> } | undefined) => metadata?.labels ?? {};

export async function takeInventory(kubeConfig: KubeConfig, node: NodeEmulator, namespaces: readonly string[]): Promise<Inventory> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const resources = new Map<string, string>();
  const volumes = new Map<string, string>();
  const put = (kind: string, namespace: string, name: string | undefined, value: unknown) => resources.set(`${kind} ${namespace}/${name ?? ''}`, JSON.stringify(value));
  for (const namespace of namespaces) {
    const ns = await core.readNamespace({ name: namespace });
    put('Namespace', namespace, namespace, { labels: labelsOf(ns.metadata) });
    for (const cm of (await core.listNamespacedConfigMap({ namespace })).items) {
      // Every namespace gets this one from the controller manager; it is not the application's.
      if (cm.metadata?.name === 'kube-root-ca.crt') continue;
      put('ConfigMap', namespace, cm.metadata?.name, { labels: labelsOf(cm.metadata), data: cm.data ?? {}, binaryData: cm.binaryData ?? {} });
    }
    for (const secret of (await core.listNamespacedSecret({ namespace })).items) {
      put('Secret', namespace, secret.metadata?.name, { labels: labelsOf(secret.metadata), type: secret.type, data: secret.data ?? {} });
    }
    for (const service of (await core.listNamespacedService({ namespace })).items) {
      put('Service', namespace, service.metadata?.name, { labels: labelsOf(service.metadata), type: service.spec?.type, selector: service.spec?.selector, ports: service.spec?.ports });
    }
    for (const deployment of (await apps.listNamespacedDeployment({ namespace })).items) {
      put('Deployment', namespace, deployment.metadata?.name, { labels: labelsOf(deployment.metadata), replicas: deployment.spec?.replicas, selector: deployment.spec?.selector, template: deployment.spec?.template });
    }
    for (const pvc of (await core.listNamespacedPersistentVolumeClaim({ namespace })).items) {
      const name = pvc.metadata?.name ?? '';
      put('PersistentVolumeClaim', namespace, name, {
        labels: labelsOf(pvc.metadata),
        storageClassName: pvc.spec?.storageClassName,
        accessModes: pvc.spec?.accessModes,
        volumeMode: pvc.spec?.volumeMode,
        requests: pvc.spec?.resources?.requests,
      });
      volumes.set(`${namespace}/${name}`, await volumeDigest(node.volumePath(await boundVolume(core, namespace, name))));
    }
  }
  return { resources, volumes };
}

export interface Difference {
  what: string;
  problem: string;
}

/** Everything that is not as it was: missing, changed or unexpected resources and volumes. */
export function compareInventories(before: Inventory, after: Inventory): Difference[] {
  const differences: Difference[] = [];
  const compare = (label: string, a: Map<string, string>, b: Map<string, string>) => {
    for (const [key, value] of a) {
      if (!b.has(key)) differences.push({ what: `${label}${key}`, problem: 'missing after the restore' });
      else if (b.get(key) !== value) differences.push({ what: `${label}${key}`, problem: `differs: before ${value}, after ${b.get(key)}` });
    }
    for (const key of b.keys()) if (!a.has(key)) differences.push({ what: `${label}${key}`, problem: 'not there before the backup' });
  };
  compare('', before.resources, after.resources);
  compare('volume ', before.volumes, after.volumes);
  return differences;
}
