import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { mergePatch, readOptional, splitKey } from '../support/kube-api.js';
import type { WorkQueue } from '../support/work-queue.js';
import { podRef } from '../scheduler/scheduler.js';
import { pathMountsOf, type ContainerContext } from './container-context.js';
import { containerEnv } from './container-env.js';
import { IMAGE_ENV, IMAGE_WORKDIR } from '../../../scripts/image/spec.js';
import type { ContainerRoot, RootMount } from './container-root.js';
import { containerSecurity, ROOT_USER, type ContainerSecurity, type ImageUser } from './container-security.js';
import { ContainerConfigError, VolumeNotReady } from './errors.js';
import type { NodeDirs } from './node-dirs.js';
import { mountPodVolumes, unmountPodVolumes, type MountedVolume } from './pod-volumes.js';
import { PodRuntime, type ContainerRuntime } from './pod-runtime.js';
import { podStatus, willRestart } from './pod-status.js';

/** How Haven's own image runs here: which images, from which checkout, with the image's default command. */
export interface HavenImage {
  pattern: RegExp;
  /** The image's WORKDIR (/app) on this machine: the repository checkout. */
  workdir: string;
  /** The image's CMD, used when a container sets neither command nor args. */
  defaultCommand: readonly string[];
  /** The image's USER: what its containers run as without runAsUser/runAsGroup. */
  user: ImageUser;
  /** A directory every user may search holding the image's `node` (this machine's may sit under /root). */
  binDir: string;
  /** The image's unpacked root filesystem: given, its containers run chrooted into it (container-root.ts). */
  rootfs?: string;
}

/** The image's PATH after the bin directories: the system tools hooks may call. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const RESTART_BACKOFF_MS = 1_000;
const MOUNT_RETRY_MS = 1_000;
/** Upper bound on a pod's termination grace here: tests should not wait 30 s for a stubborn process. */
const MAX_GRACE_MS = 5_000;

/**
 * Plays the kubelet of the emulated nodes: mounts pod volumes in the kubelet layout, runs Haven's image as
 * local processes (other images are only reported Running), writes pod status from what the processes
 * do, and finishes graceful deletion by stopping the processes and removing the pod.
 */
export class Kubelet {
  private readonly runtimes = new Map<string, PodRuntime>();
  private ipSequence = 0;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly nodes: Map<string, NodeDirs>,
    private readonly image: HavenImage,
    private readonly requeue: () => WorkQueue,
  ) {}

  /** A running pod's container, for exec. */
  containerOf(namespace: string, pod: string, container: string): { runtime: PodRuntime; container: ContainerRuntime } | undefined {
    for (const runtime of this.runtimes.values()) {
      if (runtime.key !== `${namespace}/${pod}`) continue;
      const found = runtime.container(container);
      if (found) return { runtime, container: found };
    }
    return undefined;
  }

  logFile(pod: V1Pod, container: string): string | undefined {
    const dirs = this.nodes.get(pod.spec?.nodeName ?? '');
    return dirs?.containerLogFile(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', pod.metadata?.uid ?? '', container);
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = await readOptional(() => this.ctx.api.core.readNamespacedPod({ namespace, name }));
    for (const [uid, runtime] of this.runtimes) {
      // A pod gone from the API (or replaced under the same name) must not keep running here.
      if (runtime.key === key && uid !== pod?.metadata?.uid) await this.forget(runtime, 0);
    }
    const dirs = this.nodes.get(pod?.spec?.nodeName ?? '');
    if (!pod || !dirs || !this.ctx.inScope(namespace)) return;
    const uid = pod.metadata?.uid ?? '';

    if (pod.metadata?.deletionTimestamp) {
      const runtime = this.runtimes.get(uid);
      const graceMs = Math.min((pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000, MAX_GRACE_MS);
      if (runtime) await this.forget(runtime, graceMs);
      else await unmountPodVolumes(dirs, uid);
      // Grace 0 goes in the body: the typed client drops a zero query parameter, and 0 is what finishes the deletion.
      await readOptional(() => this.ctx.api.core.deleteNamespacedPod({ namespace, name, body: { gracePeriodSeconds: 0, preconditions: { uid } } }));
      return;
    }
    let runtime = this.runtimes.get(uid);
    if (!runtime) {
      // After an emulator restart a finished pod stays as it was reported.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      runtime = this.newRuntime(pod, key);
    }
    if (!runtime.volumesReady && !(await this.prepare(pod, runtime, dirs))) return this.writeStatus(pod, runtime);
    await this.advance(pod, runtime, dirs);
    await this.writeStatus(pod, runtime);
  }

  async stop(): Promise<void> {
    for (const runtime of [...this.runtimes.values()]) await this.forget(runtime, 0);
  }

  private newRuntime(pod: V1Pod, key: string): PodRuntime {
    const nodeIndex = Math.max(0, [...this.nodes.keys()].indexOf(pod.spec?.nodeName ?? ''));
    const sequence = this.ipSequence++;
    const ip = `10.244.${nodeIndex}.${(sequence % 250) + 2}`;
    const runtime = new PodRuntime(pod.metadata?.uid ?? '', key, ip, () => this.requeue().add(key));
    const describe = (c: V1Container, init: boolean): ContainerRuntime => {
      const runsProcess = this.image.pattern.test(c.image ?? '');
      // Only a process can answer a probe: other images are taken as ready once Running.
      const readiness = runsProcess && !init && c.readinessProbe ? { probe: c.readinessProbe, ports: c.ports ?? [] } : undefined;
      return { name: c.name, image: c.image ?? '', init, runsProcess, ...(readiness ? { readiness } : {}), state: 'waiting', restartCount: 0 };
    };
    runtime.containers.push(...(pod.spec?.initContainers ?? []).map((c) => describe(c, true)), ...(pod.spec?.containers ?? []).map((c) => describe(c, false)));
    this.runtimes.set(runtime.uid, runtime);
    return runtime;
  }

  /** Mounts volumes and resolves each container's context; false while something is missing. */
  private async prepare(pod: V1Pod, runtime: PodRuntime, dirs: NodeDirs): Promise<boolean> {
    let volumes: Map<string, MountedVolume>;
    try {
      volumes = await mountPodVolumes(this.ctx, dirs, pod);
    } catch (err) {
      if (!(err instanceof VolumeNotReady)) throw err;
      await this.ctx.events('kubelet').record(podRef(pod), 'Warning', 'FailedMount', err.message);
      this.requeue().addAfter(runtime.key, MOUNT_RETRY_MS);
      return false;
    }
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const container of runtime.containers) {
      const spec = specs.find((s) => s.name === container.name) as V1Container;
      try {
        container.context = await this.contextFor(pod, spec, volumes);
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        container.waiting = { reason: 'CreateContainerConfigError', message: err.message };
        this.requeue().addAfter(runtime.key, MOUNT_RETRY_MS);
        return false;
      }
    }
    runtime.volumesReady = true;
    return true;
  }

  private async contextFor(pod: V1Pod, spec: V1Container, volumes: Map<string, MountedVolume>): Promise<ContainerContext> {
    const mounts: Record<string, string> = {};
    const readOnlyPaths: string[] = [];
    for (const mount of spec.volumeMounts ?? []) {
      const volume = volumes.get(mount.name);
      if (!volume) continue;
      const hostPath = mount.subPath ? join(volume.hostPath, mount.subPath) : volume.hostPath;
      mounts[mount.mountPath] = hostPath;
      // A claim mounted readOnly in the pod's volume is read-only in every container, as the kubelet mounts it.
      if (mount.readOnly || volume.readOnly) readOnlyPaths.push(await realpath(hostPath));
    }
    for (const device of spec.volumeDevices ?? []) {
      const volume = volumes.get(device.name);
      if (volume) mounts[device.devicePath] = volume.hostPath;
    }
    const pathMounts = pathMountsOf(mounts);
    for (const mount of spec.volumeMounts ?? []) {
      const bound = pathMounts.find((m) => m.target === mount.mountPath);
      if (bound && (mount.readOnly || volumes.get(mount.name)?.readOnly)) readOnlyPaths.push(bound.target);
    }
    const haven = this.image.pattern.test(spec.image ?? '');
    const security = containerSecurity(pod, spec, haven ? this.image.user : ROOT_USER, readOnlyPaths);
    if (security.uid === 0 && (spec.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot)) {
      throw new ContainerConfigError('container has runAsNonRoot and image will run as root');
    }
    if (haven && this.image.rootfs) return this.rootedContext(pod, spec, volumes, security);
    const hostEnv = { PATH: `${this.image.binDir}:${join(this.image.workdir, 'node_modules', '.bin')}:${SYSTEM_PATH}` };
    const env = {
      // The image's passwd gives root /root; other users' homes are not emulated, /tmp is writable by all.
      HOME: security.uid === 0 ? (process.env.HOME ?? '/root') : '/tmp',
      HOSTNAME: pod.metadata?.name ?? '',
      ...this.apiServerEnv(),
      ...(await containerEnv(this.ctx, pod, spec)),
    };
    const workingDir = spec.workingDir;
    const cwd = workingDir && mounts[workingDir] ? await realpath(mounts[workingDir]) : this.image.workdir;
    return { cwd, env, hostEnv, mounts, security, pathMounts };
  }

  /**
   * KUBERNETES_SERVICE_HOST and _PORT, which the kubelet gives every container for the `kubernetes`
   * Service. There is no kube-proxy to route that Service's cluster IP, so they name the API server this
   * emulator talks to, where kube-proxy would send them: in-cluster clients (the agent) then connect.
   */
  private apiServerEnv(): Record<string, string> {
    const server = this.ctx.api.config.getCurrentCluster()?.server;
    if (!server) return {};
    const url = new URL(server);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return { KUBERNETES_SERVICE_HOST: url.hostname.replace(/^\[|\]$/g, ''), KUBERNETES_SERVICE_PORT: port, KUBERNETES_SERVICE_PORT_HTTPS: port };
  }

  /**
   * A Haven-image container in the image's own root filesystem: volumes bind-mounted at their mountPaths
   * (read-only ones so), so paths need no rewriting; the image's environment; the root read-only under
   * readOnlyRootFilesystem. Its directories live with the pod's, and go with them.
   */
  private async rootedContext(pod: V1Pod, spec: V1Container, volumes: Map<string, MountedVolume>, security: ContainerSecurity): Promise<ContainerContext> {
    const mounts: RootMount[] = [];
    for (const mount of spec.volumeMounts ?? []) {
      const volume = volumes.get(mount.name);
      if (!volume) continue;
      const hostPath = mount.subPath ? join(volume.hostPath, mount.subPath) : volume.hostPath;
      mounts.push({ containerPath: mount.mountPath, hostPath, readOnly: Boolean(mount.readOnly || volume.readOnly) });
    }
    for (const device of spec.volumeDevices ?? []) {
      const volume = volumes.get(device.name);
      if (volume) mounts.push({ containerPath: device.devicePath, hostPath: volume.hostPath, readOnly: false });
    }
    const dirs = this.nodes.get(pod.spec?.nodeName ?? '') as NodeDirs;
    const root: ContainerRoot = {
      rootfs: this.image.rootfs as string,
      stateDir: join(dirs.podDir(pod.metadata?.uid ?? ''), 'containers', spec.name),
      mounts,
      readOnlyRootFilesystem: spec.securityContext?.readOnlyRootFilesystem === true,
      workingDir: spec.workingDir || IMAGE_WORKDIR,
      hostname: pod.metadata?.name ?? '',
    };
    const env = {
      ...IMAGE_ENV,
      HOME: security.uid === 0 ? '/root' : (IMAGE_ENV.HOME ?? '/tmp'),
      HOSTNAME: pod.metadata?.name ?? '',
      ...this.apiServerEnv(),
      ...(await containerEnv(this.ctx, pod, spec)),
    };
    return { cwd: '/', env, hostEnv: {}, mounts: {}, security: { ...security, readOnlyPaths: [] }, pathMounts: [], root };
  }

  /** Starts what should run now: init containers one by one, then all app containers; restarts per policy. */
  private async advance(pod: V1Pod, runtime: PodRuntime, dirs: NodeDirs): Promise<void> {
    const inits = runtime.containers.filter((c) => c.init);
    for (const init of inits) {
      if (init.state === 'terminated' && init.terminated?.exitCode === 0) continue;
      if (init.state === 'running') return;
      if (init.state === 'terminated' && !(await this.restartDue(pod, runtime, init))) return;
      await this.startContainer(pod, runtime, init, dirs);
      if (!init.runsProcess) runtime.complete(init);
      return;
    }
    for (const container of runtime.containers.filter((c) => !c.init)) {
      if (container.state === 'running') continue;
      if (container.state === 'terminated' && !(await this.restartDue(pod, runtime, container))) continue;
      await this.startContainer(pod, runtime, container, dirs);
    }
  }

  private async restartDue(pod: V1Pod, runtime: PodRuntime, container: ContainerRuntime): Promise<boolean> {
    if (!willRestart(pod, container)) return false;
    const waited = Date.now() - Date.parse(container.terminated?.finishedAt ?? '');
    if (waited >= RESTART_BACKOFF_MS) return true;
    container.waiting = { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${container.name}` };
    this.requeue().addAfter(runtime.key, RESTART_BACKOFF_MS - waited);
    return false;
  }

  private async startContainer(pod: V1Pod, runtime: PodRuntime, container: ContainerRuntime, dirs: NodeDirs): Promise<void> {
    const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((s) => s.name === container.name);
    // Docker semantics: command replaces ENTRYPOINT (none in Haven's image), args replace CMD.
    const argv = spec?.command?.length ? [...spec.command, ...(spec.args ?? [])] : spec?.args?.length ? spec.args : [...this.image.defaultCommand];
    const logFile = dirs.containerLogFile(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', runtime.uid, container.name);
    await runtime.start(container, argv, logFile);
    await this.ctx.events('kubelet').record(podRef(pod), 'Normal', 'Started', `Started container ${container.name}`);
  }

  /** Writes status only when it changed since our last write, so our own watch events do not loop. */
  private async writeStatus(pod: V1Pod, runtime: PodRuntime): Promise<void> {
    const status = podStatus(pod, runtime, '127.0.0.1');
    const serialized = JSON.stringify(status);
    if (runtime.lastWrittenStatus === serialized) return;
    await this.ctx.api.core.patchNamespacedPodStatus({ namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', body: { status } }, mergePatch);
    runtime.lastWrittenStatus = serialized;
  }

  private async forget(runtime: PodRuntime, graceMs: number): Promise<void> {
    this.runtimes.delete(runtime.uid);
    await runtime.kill(graceMs);
    for (const dirs of this.nodes.values()) await unmountPodVolumes(dirs, runtime.uid);
  }
}
