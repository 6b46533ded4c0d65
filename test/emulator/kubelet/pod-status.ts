import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerRuntime, PodRuntime } from './pod-runtime.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Whether a finished container comes back, per the pod's restartPolicy. */
export function willRestart(pod: V1Pod, container: ContainerRuntime): boolean {
  if (container.state !== 'terminated' || !container.terminated) return false;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (container.init) return policy !== 'Never' && container.terminated.exitCode !== 0;
  return policy === 'Always' || (policy === 'OnFailure' && container.terminated.exitCode !== 0);
}

/** The pod phase the kubelet derives from its containers. */
export function podPhase(pod: V1Pod, runtime: PodRuntime): PodPhase {
  if (runtime.podFailedReason) return 'Failed';
  const inits = runtime.containers.filter((c) => c.init);
  const mains = runtime.containers.filter((c) => !c.init);
  if (inits.some((c) => c.state === 'terminated' && c.terminated?.exitCode !== 0 && !willRestart(pod, c))) return 'Failed';
  if (!runtime.volumesReady || inits.some((c) => !(c.state === 'terminated' && c.terminated?.exitCode === 0))) return 'Pending';
  if (mains.some((c) => c.state !== 'terminated' || willRestart(pod, c))) return mains.some((c) => c.state === 'running' || c.restartCount > 0 || c.state === 'terminated') ? 'Running' : 'Pending';
  return mains.every((c) => c.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
}

/** The status the kubelet writes through pods/status. */
export function podStatus(pod: V1Pod, runtime: PodRuntime, hostIP: string): Record<string, unknown> {
  const phase = podPhase(pod, runtime);
  const mains = runtime.containers.filter((c) => !c.init);
  const initialized = runtime.containers.filter((c) => c.init).every((c) => c.state === 'terminated' && c.terminated?.exitCode === 0);
  const ready = phase === 'Running' && mains.every(containerReady);
  const transition = runtime.startTime;
  const condition = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: transition });
  return {
    phase,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: runtime.podIP,
    podIPs: [{ ip: runtime.podIP }],
    startTime: runtime.startTime,
    conditions: [
      condition('PodReadyToStartContainers', runtime.volumesReady),
      condition('Initialized', initialized),
      condition('Ready', ready),
      condition('ContainersReady', ready),
      condition('PodScheduled', true),
    ],
    initContainerStatuses: runtime.containers.filter((c) => c.init).map(containerStatus),
    containerStatuses: mains.map(containerStatus),
    ...(runtime.podFailedReason ? { reason: 'Failed', message: runtime.podFailedReason } : {}),
  };
}

/** Running, and its readiness probe (when the emulator runs one) passed last time. */
function containerReady(container: ContainerRuntime): boolean {
  return container.state === 'running' && container.ready !== false;
}

function containerStatus(container: ContainerRuntime) {
  const state =
    container.state === 'running'
      ? { running: { startedAt: container.startedAt } }
      : container.state === 'terminated'
        ? { terminated: container.terminated }
        : { waiting: container.waiting ?? { reason: 'ContainerCreating' } };
  return {
    name: container.name,
    image: container.image,
    imageID: `emulated://${container.image}`,
    ...(container.containerID ? { containerID: container.containerID } : {}),
    ready: !container.init && containerReady(container),
    started: container.state === 'running',
    restartCount: container.restartCount,
    state,
    lastState: container.lastTerminated ? { terminated: container.lastTerminated } : {},
  };
}
