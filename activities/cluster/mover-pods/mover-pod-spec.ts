import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import { HAVEN_MANAGER, MOVER_COMPONENTS, MOVER_DATA_PATH, MOVER_DEVICE_PATH, MOVER_HOST_VOLUME_PATH, MOVER_LABELS, type StartMoverPodRequest } from '../../../proto/mover/index.js';
import { oldSpaceMb } from '../../../lib/datamover/cli/heap-limit.js';
import { gatewayEnv } from '../../../lib/cluster-access/gateway-connection.js';
import { HAVEN_PROCESS_COMMANDS } from '../../../lib/common/haven-image.js';
import type { MoverPodSettings } from './mover-settings.js';
import { moverContainerSecurity, MOVER_POD_SECURITY } from './mover-security.js';

/** Where the pod runs and, for host-volume reads, which pod's volume it reads. */
export interface MoverPlacement {
  nodeName?: string;
  /** The PV's own directory on the node (`kubeletVolumeDir`): the only host path the pod mounts. */
  hostVolume?: { volumeName: string; hostDir: string };
}

/** Object names are DNS labels here: at most 63 characters. */
const MAX_NAME = 63;
/** The key of the credentials Secret that holds the pod's mover token. */
export const MOVER_TOKEN_SECRET_KEY = 'token';
/** How the image starts the mover: the same checkout as every other Haven process. */
export const MOVER_COMMAND = [...HAVEN_PROCESS_COMMANDS.mover];
/** Share of the memory limit given to V8's heap (as the data mover's CLI sizes it); the rest is buffers and native code. */

function dnsLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, MAX_NAME)
    .replace(/^-+|-+$/g, '');
}

export function jobLabels(jobId: string, component: string): Record<string, string> {
  return { [MOVER_LABELS.managedBy]: HAVEN_MANAGER, [MOVER_LABELS.component]: component, [MOVER_LABELS.job]: jobId };
}

/** Derived from the task queue's job and mover index, so a retried start finds its own pod. */
export function moverPodName(request: Pick<StartMoverPodRequest, 'jobId' | 'taskQueue'>): string {
  const index = request.taskQueue.split('.').at(-1) ?? '0';
  return dnsLabel(`haven-mover-${request.jobId.slice(0, 36)}-${index}`);
}

/**
 * One per pod, named like it: the pod's mover token reaches it by reference (secretKeyRef), as the
 * install manifest hands the agent its token, never in the pod spec, where anyone who may read pods
 * would see it. Labelled with the job, so the job's cleanup removes it with the pod.
 */
export function credentialsSecret(request: Pick<StartMoverPodRequest, 'namespace' | 'jobId' | 'taskQueue' | 'token'>): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: moverPodName(request), namespace: request.namespace, labels: jobLabels(request.jobId, MOVER_COMPONENTS.credentials) },
    type: 'Opaque',
    stringData: { [MOVER_TOKEN_SECRET_KEY]: request.token },
  };
}

/**
 * A mover pod: one container running the mover's Temporal worker on its own queue, the claim at
 * /data (or as a block device), the memory limit both as the container's limit and the mover's own
 * budget. OnFailure: a mover killed mid-copy restarts and the retried activity resumes from its
 * checkpoint. No service account token: the mover never talks to the API server. Root with only the
 * capabilities its purpose needs (mover-security.ts): volumes hold files of any owner and mode.
 */
export function moverPod(request: StartMoverPodRequest, settings: MoverPodSettings, placement: MoverPlacement = {}): V1Pod {
  const block = request.volumeMode === 'Block';
  const memory = `${request.memoryLimitMiB}Mi`;
  const { nodeName, hostVolume } = placement;
  // Host reads mount the one volume's directory, never the kubelet's pods directory: that holds every
  // pod's volumes, Secrets and service account tokens on the node.
  const data = hostVolume
    ? {
        env: [
          { name: 'HAVEN_MOVER_DATA', value: MOVER_HOST_VOLUME_PATH },
          { name: 'HAVEN_MOVER_HOST_VOLUME', value: hostVolume.volumeName },
        ],
        mounts: { volumeMounts: [{ name: 'host-volume', mountPath: MOVER_HOST_VOLUME_PATH, readOnly: true }] },
        volume: { name: 'host-volume', hostPath: { path: hostVolume.hostDir, type: 'Directory' } },
      }
    : {
        env: [{ name: 'HAVEN_MOVER_DATA', value: block ? MOVER_DEVICE_PATH : MOVER_DATA_PATH }],
        mounts: block
          ? { volumeDevices: [{ name: 'data', devicePath: MOVER_DEVICE_PATH }] }
          : { volumeMounts: [{ name: 'data', mountPath: MOVER_DATA_PATH, readOnly: request.readOnly }] },
        volume: { name: 'data', persistentVolumeClaim: { claimName: request.claim, readOnly: request.readOnly } },
      };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: moverPodName(request),
      namespace: request.namespace,
      labels: { ...jobLabels(request.jobId, MOVER_COMPONENTS.pod), 'haven.io/purpose': request.purpose },
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      restartPolicy: 'OnFailure',
      automountServiceAccountToken: false,
      securityContext: MOVER_POD_SECURITY,
      containers: [
        {
          name: 'mover',
          image: settings.image,
          command: MOVER_COMMAND,
          args: ['--memory-limit-mb', String(request.memoryLimitMiB)],
          env: [
            ...gatewayEnv(settings.gateway),
            { name: 'HAVEN_MOVER_TASK_QUEUE', value: request.taskQueue },
            ...data.env,
            // V8 sizes its heap from the node, not the container: without this it would collect far past the limit.
            { name: 'NODE_OPTIONS', value: `--max-old-space-size=${oldSpaceMb(request.memoryLimitMiB * 1024 * 1024)}` },
            { name: 'HAVEN_MOVER_TOKEN', valueFrom: { secretKeyRef: { name: moverPodName(request), key: MOVER_TOKEN_SECRET_KEY } } },
          ],
          securityContext: moverContainerSecurity(request.purpose),
          resources: { requests: { memory, cpu: '100m' }, limits: { memory } },
          ...data.mounts,
        },
      ],
      volumes: [data.volume],
    },
  };
}
