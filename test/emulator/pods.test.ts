import { lstat, readFile, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { IMAGE_USER } from '../../scripts/image/spec.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/ports.js';
import { STORAGE_CLASS } from './storage/storage-classes.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from './helpers/cluster.js';
import { aClaim, boundClaim, podInPhase } from './helpers/objects.js';

const HAVEN_IMAGE = 'haven/haven:dev';

function havenPod(name: string, script: string, extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'mover',
          image: HAVEN_IMAGE,
          command: ['node', '-e', script],
          args: ['/data/result.txt'],
          env: [{ name: 'GREETING', value: 'hello' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      ...extra,
    },
  };
}

describe('pods on emulated nodes', () => {
  let cluster: EmulatedCluster;
  beforeAll(async () => {
    cluster = await startEmulatedCluster();
  });
  afterAll(async () => cluster?.stop());

  async function namespaceWithVolume(storageClass: string = STORAGE_CLASS.csi) {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds' }, stringData: { token: 's3cret' } } });
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('data', { storageClass }) });
    const pvc = await boundClaim(cluster.api, namespace, 'data');
    const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
    return { namespace, pv };
  }

  it("runs Haven's image as a local process with env, args and mounts, and reports its exit code", async () => {
    const { namespace, pv } = await namespaceWithVolume();
    const script = "require('fs').writeFileSync(process.argv[1], [process.env.GREETING, process.env.POD, process.env.TOKEN].join(' ')); process.exit(3)";
    await cluster.api.core.createNamespacedPod({ namespace, body: havenPod('mover', script) });
    const pod = await podInPhase(cluster.api, namespace, 'mover', ['Failed', 'Succeeded']);
    expect(pod.spec?.nodeName).toBe(cluster.node.nodeNames[0]);
    expect(pod.status?.phase).toBe('Failed');
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(await readFile(join(cluster.node.volumePath(pv), 'result.txt'), 'utf8')).toBe('hello mover s3cret');

    const volumeDir = join(cluster.node.podsDir(), pod.metadata?.uid ?? '', 'volumes', 'kubernetes.io~csi', pv.metadata?.name ?? '');
    expect(await readlink(join(volumeDir, 'mount'))).toBe(await realpath(cluster.node.volumePath(pv)));
    expect(JSON.parse(await readFile(join(volumeDir, 'vol_data.json'), 'utf8'))).toMatchObject({ driverName: 'hostpath.csi.k8s.io', specVolID: pv.metadata?.name });
  });

  it('reports Succeeded for exit 0 and keeps what the process printed as its log', async () => {
    const { namespace } = await namespaceWithVolume();
    await cluster.api.core.createNamespacedPod({ namespace, body: havenPod('ok', "console.log(JSON.stringify({ mounts: JSON.parse(process.env.HAVEN_EMULATOR_MOUNTS) }))") });
    const pod = await podInPhase(cluster.api, namespace, 'ok', ['Succeeded', 'Failed']);
    expect(pod.status?.phase).toBe('Succeeded');
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const printed = JSON.parse(await cluster.node.containerLog(pod, 'mover')) as { mounts: Record<string, string> };
    expect(Object.keys(printed.mounts)).toEqual(expect.arrayContaining(['/data', '/var/run/secrets/kubernetes.io/serviceaccount']));
  });

  it('kills the process when the pod is deleted and removes the pod', async () => {
    const { namespace, pv } = await namespaceWithVolume();
    const script = "require('fs').writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)";
    await cluster.api.core.createNamespacedPod({ namespace, body: havenPod('long', script) });
    const running = await podInPhase(cluster.api, namespace, 'long', ['Running']);
    expect(running.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const pid = Number(await eventually(() => readFile(join(cluster.node.volumePath(pv), 'result.txt'), 'utf8').catch(() => undefined), 'the pid file'));
    await cluster.api.core.deleteNamespacedPod({ namespace, name: 'long' });
    await eventually(
      () => cluster.api.core.readNamespacedPod({ namespace, name: 'long' }).then(() => false, (err: { code?: number }) => err.code === 404),
      'the pod to be removed',
    );
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expect(lstat(join(cluster.node.podsDir(), running.metadata?.uid ?? ''))).rejects.toThrow(/ENOENT/);
  });

  it("gives containers in-cluster credentials: the API server as KUBERNETES_SERVICE_* and the pod's service account token at its own path", async () => {
    const namespace = await cluster.namespace();
    // What an installed agent does at start: loadFromCluster reads the fixed service-account path, not any argument.
    const script = [
      "import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';",
      'const config = new KubeConfig(); config.loadFromCluster();',
      "const review = await config.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });",
      'console.log(review.status.userInfo.username);',
    ].join('\n');
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'in-cluster' }, spec: { restartPolicy: 'Never', containers: [{ name: 'client', image: HAVEN_IMAGE, command: ['node', '--input-type=module', '-e', script] }] } },
    });
    const pod = await podInPhase(cluster.api, namespace, 'in-cluster', ['Succeeded', 'Failed']);
    const log = await cluster.node.containerLog(pod, 'client');
    expect(pod.status?.phase, log).toBe('Succeeded');
    expect(log.trim()).toBe(`system:serviceaccount:${namespace}:default`);
  });

  it("keeps the image's own programs on PATH when an emptyDir is mounted at /tmp, where the emulator's data may lie; the image's non-root user writes it (0777, as the kubelet makes it)", async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'tmp-mount' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'c',
              image: HAVEN_IMAGE,
              // The path is an argument, so the emulator maps it to the volume's directory.
              command: ['node', '-e', "require('fs').writeFileSync(process.argv[1], 'x'); console.log(process.version, process.getuid())", '/tmp/written'],
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    });
    const pod = await podInPhase(cluster.api, namespace, 'tmp-mount', ['Succeeded', 'Failed']);
    expect((await cluster.node.containerLog(pod, 'c')).trim()).toBe(`${process.version} ${IMAGE_USER.uid}`);
  });

  it('reports a container Ready only once its readiness probe passes (helm --wait relies on it)', async () => {
    const namespace = await cluster.namespace();
    const port = await freePort();
    // Answers the probe 503 until the test asks it to be ready; counts the probes it answered.
    const script = `let ready = false, probes = 0; require('http').createServer((q, r) => {
      if (q.url === '/go') { ready = true; return r.end(); }
      if (q.url === '/probes') return r.end(String(probes));
      probes++; r.statusCode = ready ? 200 : 503; r.end();
    }).listen(${port}, '127.0.0.1')`;
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'probed' },
        spec: {
          containers: [{ name: 'web', image: HAVEN_IMAGE, command: ['node', '-e', script], ports: [{ name: 'http', containerPort: port }], readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 } }],
        },
      },
    });
    await podInPhase(cluster.api, namespace, 'probed', ['Running']);
    await eventually(async () => Number(await (await fetch(`http://127.0.0.1:${port}/probes`)).text()) >= 2, 'two failed probes');
    const unready = await cluster.api.core.readNamespacedPod({ namespace, name: 'probed' });
    expect(unready.status?.containerStatuses?.[0]).toMatchObject({ started: true, ready: false });
    expect(unready.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    await fetch(`http://127.0.0.1:${port}/go`);
    await eventually(async () => (await cluster.api.core.readNamespacedPod({ namespace, name: 'probed' })).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'the pod to turn Ready');
  });

  it('reports pods of other images Running and lays out nfs and local volumes like the kubelet', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('shared', { storageClass: STORAGE_CLASS.nfs }) });
    await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('local', { storageClass: STORAGE_CLASS.local }) });
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx:1.27', volumeMounts: [{ name: 'shared', mountPath: '/shared' }, { name: 'local', mountPath: '/local' }] }],
          volumes: [
            { name: 'shared', persistentVolumeClaim: { claimName: 'shared' } },
            { name: 'local', persistentVolumeClaim: { claimName: 'local' } },
          ],
        },
      },
    });
    const pod = await podInPhase(cluster.api, namespace, 'web', ['Running']);
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ name: 'nginx', ready: true, started: true });
    const nfsPv = (await boundClaim(cluster.api, namespace, 'shared')).spec?.volumeName ?? '';
    const localPv = (await boundClaim(cluster.api, namespace, 'local')).spec?.volumeName ?? '';
    const volumes = join(cluster.node.podsDir(), pod.metadata?.uid ?? '', 'volumes');
    expect((await lstat(join(volumes, 'kubernetes.io~nfs', nfsPv))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(volumes, 'kubernetes.io~local-volume', localPv))).isSymbolicLink()).toBe(true);
  });

  it('waits to schedule a pod whose claim does not exist, with the scheduler event', async () => {
    const namespace = await cluster.namespace();
    await cluster.api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'stuck' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'nope' } }] } },
    });
    const event = await eventually(async () => {
      const events = await cluster.api.core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=stuck' });
      return events.items.find((e) => e.reason === 'FailedScheduling');
    }, 'a FailedScheduling event');
    expect(event.message).toBe('0/1 nodes are available: persistentvolumeclaim "nope" not found.');
    expect((await cluster.api.core.readNamespacedPod({ namespace, name: 'stuck' })).spec?.nodeName).toBeUndefined();
  });
});
