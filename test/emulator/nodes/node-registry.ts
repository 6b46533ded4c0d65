import type { V1Node } from '@kubernetes/client-node';
import { HOSTPATH_DRIVER, FILES_DRIVER } from '../storage/storage-classes.js';
import { createIfAbsent, kubeTime, mergePatch, readOptional, type KubeApi } from '../support/kube-api.js';

/** The port the API server dials for exec and logs. Nothing listens there: there is no kubelet. */
export const KUBELET_PORT = 10250;
const KUBELET_VERSION = 'v1.33.13';

/**
 * Registers the emulated nodes as a kubelet does: the Node object, then its status through /status
 * (Ready, addresses, capacity), and a CSINode listing the emulated CSI drivers.
 */
export async function registerNodes(api: KubeApi, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await createIfAbsent(() => api.core.createNode({ body: nodeObject(name) }));
    await api.core.patchNodeStatus({ name, body: { status: nodeStatus() } }, mergePatch);
    await createIfAbsent(() =>
      api.storage.createCSINode({
        body: {
          metadata: { name, ownerReferences: [] },
          spec: {
            drivers: [HOSTPATH_DRIVER, FILES_DRIVER].map((driver) => ({
              name: driver.provisioner,
              nodeID: name,
              topologyKeys: [],
            })),
          },
        },
      }),
    );
  }
}

export async function unregisterNodes(api: KubeApi, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await readOptional(() => api.storage.deleteCSINode({ name }));
    await readOptional(() => api.core.deleteNode({ name }));
  }
}

function nodeObject(name: string): V1Node {
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'arm64' ? 'arm64' : 'amd64',
        'node.haven.test/emulated': 'true',
      },
    },
    spec: {},
  };
}

function nodeStatus() {
  const now = kubeTime();
  const resources = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: 'emulated',
      systemUUID: 'emulated',
      bootID: 'emulated',
      kernelVersion: 'emulated',
      osImage: 'Haven node emulator',
      containerRuntimeVersion: 'emulated://1.0.0',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
    },
  };
}
