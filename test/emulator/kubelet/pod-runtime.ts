import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { V1ContainerPort, V1Probe } from '@kubernetes/client-node';
import { kubeTime } from '../support/kube-api.js';
import { signalGroup, spawnInContainer, type ContainerContext } from './container-context.js';
import { prepareContainerRoot } from './container-root.js';
import { watchMemory } from './memory-limit.js';
import { watchReadiness } from './readiness.js';

export interface Termination {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

/** One container as the emulated runtime tracks it. */
export interface ContainerRuntime {
  name: string;
  image: string;
  init: boolean;
  /** Whether the container really runs (Haven's image) or is only reported Running. */
  runsProcess: boolean;
  /** The readiness probe the emulator runs, for a container that runs a process; with its ports. */
  readiness?: { probe: V1Probe; ports: V1ContainerPort[] };
  /** The probe's last outcome; false until it first passes. Undefined without a probe. */
  ready?: boolean;
  stopProbing?: () => void;
  context?: ContainerContext;
  state: 'waiting' | 'running' | 'terminated';
  waiting?: { reason: string; message?: string };
  startedAt?: string;
  containerID?: string;
  terminated?: Termination;
  lastTerminated?: Termination;
  restartCount: number;
  child?: ChildProcess;
}

let containerSequence = 0;

/**
 * The runtime side of one pod: its containers' processes and states. Every change calls `onChange`,
 * which re-queues the pod so the kubelet reconcile (the only writer of the pod's status) reports it.
 */
export class PodRuntime {
  readonly containers: ContainerRuntime[] = [];
  readonly startTime = kubeTime();
  volumesReady = false;
  podFailedReason: string | undefined;
  /** The last status written to the API server, to skip identical writes. */
  lastWrittenStatus: string | undefined;

  constructor(
    readonly uid: string,
    readonly key: string,
    readonly podIP: string,
    private readonly onChange: () => void,
  ) {}

  container(name: string): ContainerRuntime | undefined {
    return this.containers.find((c) => c.name === name && !c.init) ?? this.containers.find((c) => c.name === name);
  }

  /** Starts a container: a real process for Haven's image, a report of Running for any other image. */
  async start(container: ContainerRuntime, argv: string[] | undefined, logFile: string): Promise<void> {
    if (container.state === 'terminated') {
      container.lastTerminated = container.terminated;
      container.restartCount += 1;
    }
    container.terminated = undefined;
    container.waiting = undefined;
    container.state = 'running';
    container.startedAt = kubeTime();
    container.containerID = `emulated://${this.uid.slice(0, 8)}-${container.name}-${++containerSequence}`;
    if (!container.runsProcess || !argv || !container.context) return;

    await mkdir(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    let child: ChildProcess;
    try {
      // A (re)started container gets a fresh writable layer, as a runtime creates a new container.
      if (container.context.root) await prepareContainerRoot(container.context.root);
      child = spawnInContainer(argv, container.context);
    } catch (err) {
      log.end();
      return this.finish(container, 128, 'StartError', String(err));
    }
    container.child = child;
    let oomKilled = false;
    const limit = container.context.security.memoryLimitBytes;
    const unwatch = limit !== undefined ? watchMemory(child, limit, () => (oomKilled = true)) : () => {};
    if (container.readiness) {
      container.ready = false;
      container.stopProbing = watchReadiness(container.readiness.probe, container.readiness.ports, (ready) => {
        container.ready = ready;
        this.onChange();
      });
    }
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.on('error', (err) => this.finish(container, 128, 'StartError', err.message));
    child.on('close', (code, signal) => {
      unwatch();
      log.end();
      // 128 + signal number is what a container runtime reports for a killed process.
      const exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
      if (oomKilled) return this.finish(container, 137, 'OOMKilled');
      this.finish(container, exitCode, exitCode === 0 ? 'Completed' : 'Error');
    });
  }

  /** Reports a container finished: for images that only pretend to run, init containers complete at once. */
  complete(container: ContainerRuntime): void {
    this.finish(container, 0, 'Completed');
  }

  /** SIGTERM, then SIGKILL after the grace period, as a runtime stops containers. */
  async kill(graceMs: number): Promise<void> {
    // Capture the processes first: an exit clears container.child while we wait.
    const children = this.containers.filter((c) => c.state === 'running' && c.child).map((c) => c.child as ChildProcess);
    const exited = Promise.all(children.filter((child) => child.exitCode === null && child.signalCode === null).map((child) => once(child, 'close')));
    for (const child of children) signalGroup(child, 'SIGTERM');
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([exited, timer]);
    for (const child of children) signalGroup(child, 'SIGKILL');
    await exited;
    for (const c of this.containers) if (c.state === 'running') this.finish(c, 137, 'Error');
  }

  private finish(container: ContainerRuntime, exitCode: number, reason: string, message?: string): void {
    if (container.state === 'terminated') return;
    container.stopProbing?.();
    container.stopProbing = undefined;
    if (container.readiness) container.ready = false;
    container.state = 'terminated';
    container.child = undefined;
    container.terminated = {
      exitCode,
      reason,
      ...(message ? { message } : {}),
      startedAt: container.startedAt ?? kubeTime(),
      finishedAt: kubeTime(),
      containerID: container.containerID ?? '',
    };
    this.onChange();
  }
}
