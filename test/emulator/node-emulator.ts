import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { EmulatedPodExecutor } from './kubelet/emulated-pod-executor.js';
import { prepareImageBin } from './kubelet/image-bin.js';
import { Kubelet } from './kubelet/kubelet.js';
import { NodeDirs } from './kubelet/node-dirs.js';
import { registerNodes, unregisterNodes } from './nodes/node-registry.js';
import {
  DEFAULT_HAVEN_COMMAND,
  DEFAULT_HAVEN_IMAGE_PATTERN,
  DEFAULT_SNAPSHOT_READY_DELAY_MS,
  REPOSITORY_ROOT,
  type NodeEmulatorOptions,
} from './options.js';
import { currentMoverBundle } from '../../scripts/image/mover-bundle.js';
import { IMAGE_USER } from '../../scripts/image/spec.js';
import { Scheduler } from './scheduler/scheduler.js';
import { SnapshotController } from './snapshots/snapshot-controller.js';
import { SnapshotDriver } from './snapshots/snapshot-driver.js';
import type { VolumeSnapshot, VolumeSnapshotContent } from './snapshots/types.js';
import { Provisioner } from './storage/provisioner.js';
import { registerStorage } from './storage/storage-classes.js';
import { VolumeReclaimer } from './storage/volume-reclaimer.js';
import { VolumeStore, volumeHandleOf } from './storage/volume-store.js';
import type { EmulatorContext } from './support/context.js';
import { EventRecorder } from './support/events.js';
import { connect, objectKey, volumeSnapshotContents, volumeSnapshots, type KubeApi } from './support/kube-api.js';
import { Watcher, type WatchedObject } from './support/watcher.js';
import { WorkQueue } from './support/work-queue.js';

/**
 * One emulated cluster's node side: a watcher on a real kube-apiserver that plays the kubelet, the
 * scheduler, a hostpath-style CSI driver with its provisioner and snapshotter, and the snapshot controller.
 * Start one per cluster from a test; stop it when done.
 */
export class NodeEmulator {
  readonly executor: EmulatedPodExecutor;
  private readonly watchers: Array<Watcher<WatchedObject>> = [];
  private readonly queues: WorkQueue[] = [];
  private readonly pendingPods = new Map<string, Set<string>>();

  private constructor(
    readonly api: KubeApi,
    readonly nodeNames: readonly string[],
    readonly store: VolumeStore,
    private readonly nodes: Map<string, NodeDirs>,
    private readonly kubelet: Kubelet,
  ) {
    this.executor = new EmulatedPodExecutor(kubelet);
  }

  static async start(options: NodeEmulatorOptions): Promise<NodeEmulator> {
    const api = connect(options.kubeconfig);
    const log = options.log ?? (() => {});
    const nodeNames = Array.from({ length: options.nodeCount ?? 1 }, (_, i) => `${options.clusterName}-node-${i + 1}`.toLowerCase());
    const store = new VolumeStore(join(options.dataDir, 'storage'));
    await mkdir(store.root, { recursive: true });
    const binDir = await prepareImageBin(options.dataDir);
    const workdir = options.havenImageWorkdir ?? REPOSITORY_ROOT;
    // The checkout plays the image's /app: it must hold the mover the image bundles at build, as built from these sources.
    if (!options.imageRootfs && workdir === REPOSITORY_ROOT) await currentMoverBundle(workdir);
    const nodes = new Map(nodeNames.map((name) => [name, new NodeDirs(join(options.dataDir, 'nodes', name), name)]));
    const inScope = options.inScope ?? (() => true);
    const ctx: EmulatorContext = {
      api,
      store,
      instanceId: `${options.clusterName}-${randomBytes(4).toString('hex')}`,
      nodeNames,
      inScope: (namespace) => namespace !== undefined && inScope(namespace),
      events: (component) => new EventRecorder(api.core, component, nodeNames[0]),
      log,
    };
    await registerStorage(api);
    await registerNodes(api, nodeNames);

    // Components re-queue their own keys; the queues exist only once the components do.
    const kubeletQueueRef: { queue?: WorkQueue } = {};
    const kubelet = new Kubelet(
      ctx,
      nodes,
      {
        pattern: options.havenImagePattern ?? DEFAULT_HAVEN_IMAGE_PATTERN,
        workdir,
        defaultCommand: options.havenImageCommand ?? DEFAULT_HAVEN_COMMAND,
        user: options.havenImageUser ?? { uid: IMAGE_USER.uid, gid: IMAGE_USER.gid },
        binDir,
        ...(options.imageRootfs ? { rootfs: options.imageRootfs } : {}),
      },
      () => kubeletQueueRef.queue as WorkQueue,
    );
    const emulator = new NodeEmulator(api, nodeNames, store, nodes, kubelet);
    const kubeletQueue = emulator.queue('kubelet', (key) => kubelet.reconcile(key), log);
    kubeletQueueRef.queue = kubeletQueue;
    await emulator.wire(ctx, options.snapshotReadyDelayMs ?? DEFAULT_SNAPSHOT_READY_DELAY_MS, kubeletQueue, log);
    return emulator;
  }

  /** Stops watching and kills every process it started. Nodes are removed; cluster-wide classes stay. */
  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.stop();
    await Promise.all(this.queues.map((queue) => queue.stop()));
    await this.kubelet.stop();
    await unregisterNodes(this.api, this.nodeNames);
  }

  /** The emulated kubelet pods directory of a node (`/var/lib/kubelet/pods` there). */
  podsDir(nodeName = this.nodeNames[0] ?? ''): string {
    return (this.nodes.get(nodeName) as NodeDirs).podsDir;
  }

  /** The local directory (or file, for Block) backing a PV this emulator provisioned. */
  volumePath(pv: V1PersistentVolume): string {
    const handle = volumeHandleOf(pv);
    if (!handle) throw new Error(`PV ${pv.metadata?.name} has no volume source the emulator knows`);
    return this.store.volumePath(handle);
  }

  /** What a container wrote to stdout and stderr, as `kubectl logs` would show. */
  async containerLog(pod: V1Pod, container: string): Promise<string> {
    const file = this.kubelet.logFile(pod, container);
    return file ? readFile(file, 'utf8').catch(() => '') : '';
  }

  private queue(name: string, reconcile: (key: string) => Promise<void>, log: (message: string) => void): WorkQueue {
    const queue = new WorkQueue(name, reconcile, { onError: log });
    this.queues.push(queue);
    return queue;
  }

  private async wire(ctx: EmulatorContext, readyDelayMs: number, kubeletQueue: WorkQueue, log: (message: string) => void): Promise<void> {
    const refs: { snapshot?: WorkQueue; content?: WorkQueue; provision?: WorkQueue } = {};
    const provisioner = new Provisioner(ctx, () => refs.provision as WorkQueue);
    const reclaimer = new VolumeReclaimer(ctx);
    const scheduler = new Scheduler(ctx);
    const snapshots = new SnapshotController(ctx, () => refs.snapshot as WorkQueue);
    const driver = new SnapshotDriver(ctx, readyDelayMs, () => refs.content as WorkQueue);
    const provisionQ = (refs.provision = this.queue('provisioner', (key) => provisioner.reconcile(key), log));
    const reclaimQueue = this.queue('reclaimer', (key) => reclaimer.reconcile(key), log);
    const scheduleQueue = this.queue('scheduler', (key) => scheduler.reconcile(key), log);
    const snapshotQ = (refs.snapshot = this.queue('snapshot-controller', (key) => snapshots.reconcile(key), log));
    const contentQ = (refs.content = this.queue('snapshotter', (key) => driver.reconcile(key), log));

    const api = this.api;
    const watch = <T extends WatchedObject>(path: string, list: () => Promise<{ items: T[] }>, onEvent: (phase: string, object: T) => void) => {
      const watcher = new Watcher<T>(api.watch, path, list as () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>, onEvent, log);
      this.watchers.push(watcher as unknown as Watcher<WatchedObject>);
      return watcher.start();
    };

    await watch<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', () => api.core.listPersistentVolumeClaimForAllNamespaces(), (_phase, pvc) => {
      if (!ctx.inScope(pvc.metadata?.namespace)) return;
      provisionQ.add(objectKey(pvc.metadata));
      // Pods wait for their claims to bind before they are scheduled.
      for (const key of this.pendingPods.get(pvc.metadata?.namespace ?? '') ?? []) scheduleQueue.add(key);
    });
    await watch<V1PersistentVolume>('/api/v1/persistentvolumes', () => api.core.listPersistentVolume(), (_phase, pv) => reclaimQueue.add(pv.metadata?.name ?? ''));
    await watch<V1Pod>('/api/v1/pods', () => api.core.listPodForAllNamespaces(), (phase, pod) => {
      const namespace = pod.metadata?.namespace ?? '';
      if (!ctx.inScope(namespace)) return;
      const key = objectKey(pod.metadata);
      const pending = this.pendingPods.get(namespace) ?? new Set<string>();
      this.pendingPods.set(namespace, pending);
      if (phase !== 'DELETED' && !pod.spec?.nodeName) {
        pending.add(key);
        scheduleQueue.add(key);
      } else {
        pending.delete(key);
      }
      if (phase === 'DELETED' || this.nodeNames.includes(pod.spec?.nodeName ?? '')) kubeletQueue.add(key);
    });
    await watch<VolumeSnapshot>(
      '/apis/snapshot.storage.k8s.io/v1/volumesnapshots',
      () => api.custom.listClusterCustomObject({ ...volumeSnapshots }) as Promise<{ items: VolumeSnapshot[] }>,
      (_phase, snapshot) => snapshotQ.add(objectKey(snapshot.metadata)),
    );
    await watch<VolumeSnapshotContent>(
      '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents',
      () => api.custom.listClusterCustomObject({ ...volumeSnapshotContents }) as Promise<{ items: VolumeSnapshotContent[] }>,
      (_phase, content) => {
        contentQ.add(content.metadata.name);
        const ref = content.spec?.volumeSnapshotRef;
        if (ref?.namespace && ref.name) snapshotQ.add(`${ref.namespace}/${ref.name}`);
      },
    );
  }
}
