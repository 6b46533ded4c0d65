import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1PersistentVolume } from '@kubernetes/client-node';
import { eventually } from '../../test/emulator/helpers/cluster.js';
import type { NodeEmulator } from '../../test/emulator/node-emulator.js';
import { seededBytes } from '../../test/fixtures/volume-data.js';

/**
 * The application the demo protects: two namespaces, each with configuration, a Secret, a Deployment and
 * a claim on the emulated CSI driver holding a few MB. Some files are byte-identical across the two
 * volumes and within one (deduplication stores them once), and the text files compress well.
 */
export const APP_NAMESPACES = ['demo-shop', 'demo-blog'] as const;
const APP_LABEL = { 'app.kubernetes.io/part-of': 'haven-demo' };
const MiB = 1024 * 1024;

interface AppVolume {
  namespace: string;
  claim: string;
  /** Relative path → bytes; `shared` seeds are written into both namespaces. */
  files: Record<string, Buffer>;
}

/** Lines of text that read like an application's data: compressible, as real data often is. */
function textFile(kind: string, lines: number): Buffer {
  const rows = Array.from({ length: lines }, (_, i) => `{"id":${i},"kind":"${kind}","title":"${kind} number ${i}","price":${(i * 37) % 1000}.99,"tags":["demo","${kind}","item-${i % 17}"]}`);
  return Buffer.from(rows.join('\n') + '\n');
}

function appVolumes(): AppVolume[] {
  const shared = seededBytes('haven-demo/shared-assets', 3 * MiB / 2);
  return [
    {
      namespace: 'demo-shop',
      claim: 'uploads',
      files: {
        'catalog/products.jsonl': textFile('product', 9000),
        'images/hero-1.bin': seededBytes('haven-demo/hero-1', MiB),
        'images/hero-2.bin': seededBytes('haven-demo/hero-2', MiB),
        'assets/shared.bin': shared,
      },
    },
    {
      namespace: 'demo-blog',
      claim: 'content',
      files: {
        'posts/posts.jsonl': textFile('post', 9000),
        'media/video.bin': seededBytes('haven-demo/video', 2 * MiB),
        'assets/shared.bin': shared,
        'archive/shared-copy.bin': shared,
      },
    },
  ];
}

export interface DeployedApp {
  namespaces: readonly string[];
  volumes: { namespace: string; claim: string; files: number; bytes: number }[];
}

/** Deletes the namespaces (from an earlier demo) and waits until they and their volumes are gone. */
export async function removeApp(kubeConfig: KubeConfig): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const name of APP_NAMESPACES) await core.deleteNamespace({ name }).catch(() => undefined);
  await eventually(async () => {
    const listed = await core.listNamespace();
    return !listed.items.some((ns) => (APP_NAMESPACES as readonly string[]).includes(ns.metadata?.name ?? ''));
  }, `namespaces ${APP_NAMESPACES.join(', ')} to be deleted`, 180_000);
}

export async function deployApp(kubeConfig: KubeConfig, node: NodeEmulator): Promise<DeployedApp> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const volumes = appVolumes();
  for (const { namespace, claim } of volumes) {
    await core.createNamespace({ body: { metadata: { name: namespace, labels: APP_LABEL } } });
    // Pods are admitted only once the controller manager has made the namespace's default service account.
    await eventually(() => core.readNamespacedServiceAccount({ namespace, name: 'default' }), `the default service account of ${namespace}`);
    const app = namespace.replace(/^demo-/, '');
    const labels = { ...APP_LABEL, app };
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `${app}-settings`, labels }, data: { 'settings.yaml': `theme: teal\nitemsPerPage: 24\napp: ${app}\n`, LOG_LEVEL: 'info' } } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: `${app}-database`, labels }, type: 'Opaque', stringData: { username: app, password: `demo-password-of-${app}` } } });
    await core.createNamespacedPersistentVolumeClaim({ namespace, body: { metadata: { name: claim, labels }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } } });
    await core.createNamespacedService({ namespace, body: { metadata: { name: app, labels }, spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: app, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels },
            spec: {
              containers: [{
                name: app,
                image: 'busybox:1.36',
                envFrom: [{ configMapRef: { name: `${app}-settings` } }, { secretRef: { name: `${app}-database` } }],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              }],
              volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
            },
          },
        },
      },
    });
  }
  const deployed: DeployedApp['volumes'] = [];
  for (const { namespace, claim, files } of volumes) {
    const path = node.volumePath(await boundVolume(core, namespace, claim));
    for (const [relative, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(path, relative)), { recursive: true });
      await writeFile(join(path, relative), bytes);
    }
    deployed.push({ namespace, claim, files: Object.keys(files).length, bytes: Object.values(files).reduce((sum, b) => sum + b.length, 0) });
  }
  for (const { namespace } of volumes) {
    await eventually(async () => (await core.listNamespacedPod({ namespace })).items.some((pod) => pod.status?.phase === 'Running'), `the pod of ${namespace} to run`, 120_000);
  }
  return { namespaces: APP_NAMESPACES, volumes: deployed };
}

/** The PV bound to a claim, once the emulated provisioner has bound it. */
export async function boundVolume(core: CoreV1Api, namespace: string, claim: string): Promise<V1PersistentVolume> {
  const bound = await eventually(async () => {
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace, name: claim });
    return pvc.status?.phase === 'Bound' && pvc.spec?.volumeName ? pvc : undefined;
  }, `claim ${namespace}/${claim} to be bound`, 120_000);
  return core.readPersistentVolume({ name: bound.spec?.volumeName ?? '' });
}
