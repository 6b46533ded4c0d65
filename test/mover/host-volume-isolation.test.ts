import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeletVolumeDir } from '../../activities/cluster/mover-pods/kubelet-volume-dir.js';
import { credentialsSecret, moverPod, moverPodName } from '../../activities/cluster/mover-pods/mover-pod-spec.js';
import { DEFAULT_KUBELET_PODS_DIR, type MoverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { MOVER_HOST_VOLUME_PATH, moverTaskQueue, type StartMoverPodRequest } from '../../proto/mover/index.js';
import { deployEmulatedApp, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { podInPhase } from '../emulator/helpers/objects.js';

/**
 * A host-volume mover pod, as the agent builds it, on the node emulator: it reaches the volume it
 * copies and no other pod's. The image is not Haven's, so no mover process starts; exec runs commands
 * in the pod's container context, which maps exactly the pod's mounts.
 */
let cluster: EmulatedCluster;
let reader: EmulatedApp;
let other: EmulatedApp;
let readerPod: V1Pod;
let otherPod: V1Pod;

const settings: MoverPodSettings = { image: 'busybox', gateway: { address: 'gateway.haven:7243', namespace: 'haven', tls: {} }, kubeletPodsDir: DEFAULT_KUBELET_PODS_DIR };

async function startPod(namespace: string, jobId: string, shape: (pod: V1Pod) => V1Pod): Promise<string> {
  const request: StartMoverPodRequest = {
    version: 2,
    jobId,
    namespace,
    claim: reader.dataClaim,
    taskQueue: moverTaskQueue('c1', jobId, 0),
    token: 'hmv1.test',
    memoryLimitMiB: 1024,
    readOnly: true,
    volumeMode: 'Filesystem',
    purpose: 'backup',
    fromHostVolume: true,
  };
  const hostDir = kubeletVolumeDir(DEFAULT_KUBELET_PODS_DIR, readerPod.metadata!.uid!, reader.dataVolume);
  const pod = shape(moverPod(request, settings, { nodeName: readerPod.spec!.nodeName!, hostVolume: { volumeName: reader.dataVolume.metadata!.name!, hostDir } }));
  await cluster.api.core.createNamespacedSecret({ namespace, body: credentialsSecret(request) });
  await cluster.api.core.createNamespacedPod({ namespace, body: pod });
  await podInPhase(cluster.api, namespace, moverPodName(request), ['Running']);
  return moverPodName(request);
}

const cat = (namespace: string, pod: string, path: string) => cluster.node.executor.exec({ namespace, pod, container: 'mover', command: ['cat', path] });

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  reader = await deployEmulatedApp(cluster, { label: 'reader' });
  other = await deployEmulatedApp(cluster, { label: 'other' });
  await writeFile(join(reader.dataPath, 'own.txt'), 'the volume being copied\n');
  await writeFile(join(other.dataPath, 'secret.txt'), 'another pod\'s data\n');
  readerPod = await cluster.api.core.readNamespacedPod({ namespace: reader.namespace, name: 'db' });
  otherPod = await cluster.api.core.readNamespacedPod({ namespace: other.namespace, name: 'db' });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('a host-volume mover pod on the node emulator', () => {
  const otherVolumeFile = () => `/volumes/kubernetes.io~csi/${other.dataVolume.metadata!.name}/mount/secret.txt`;

  it('mounts the one volume directory and reads the volume it copies there', async () => {
    const pod = await startPod(reader.namespace, '5b0f7c1e-2f7a-4a43-9c55-0d7d7bb1a101', (p) => p);
    const read = await cat(reader.namespace, pod, `${MOVER_HOST_VOLUME_PATH}/own.txt`);
    expect(read).toMatchObject({ exitCode: 0, stdout: 'the volume being copied\n' });
  });

  it('cannot reach another pod\'s volume through its mount, not even by climbing out of it', async () => {
    const pod = moverPodName({ jobId: '5b0f7c1e-2f7a-4a43-9c55-0d7d7bb1a101', taskQueue: moverTaskQueue('c1', '5b0f7c1e-2f7a-4a43-9c55-0d7d7bb1a101', 0) });
    for (const path of [`${MOVER_HOST_VOLUME_PATH}/../../../../${otherPod.metadata!.uid}${otherVolumeFile()}`, `/host-pods/${otherPod.metadata!.uid}${otherVolumeFile()}`]) {
      const read = await cat(reader.namespace, pod, path);
      expect(read.exitCode, path).not.toBe(0);
      expect(read.stdout).not.toContain('another pod');
    }
  });

  it('(the check can fail) a pod mounting the whole kubelet pods directory, as mover pods did, does read it', async () => {
    const pod = await startPod(reader.namespace, '5b0f7c1e-2f7a-4a43-9c55-0d7d7bb1a102', (p) => ({
      ...p,
      spec: { ...p.spec!, volumes: [{ name: 'host-volume', hostPath: { path: DEFAULT_KUBELET_PODS_DIR, type: 'Directory' } }] },
    }));
    const read = await cat(reader.namespace, pod, `${MOVER_HOST_VOLUME_PATH}/${otherPod.metadata!.uid}${otherVolumeFile()}`);
    expect(read).toMatchObject({ exitCode: 0, stdout: 'another pod\'s data\n' });
  });
});
