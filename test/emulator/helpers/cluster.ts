import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { stackEnv, uniqueName } from '../../support/stack-env.js';
import { NodeEmulator } from '../node-emulator.js';
import type { NodeEmulatorOptions } from '../options.js';
import { INSTANCE_ANNOTATION } from '../support/context.js';
import { connect, loadKubeConfig, type KubeApi } from '../support/kube-api.js';

/** A test's own emulator on one of the stack's clusters, acting only in namespaces with its prefix. */
export interface EmulatedCluster {
  node: NodeEmulator;
  api: KubeApi;
  config: KubeConfig;
  dataDir: string;
  /** Namespaces named `<prefix>-…` are this emulator's; fixtures that create their own use it. */
  prefix: string;
  /** Creates a namespace this emulator owns and waits for its default service account. */
  namespace(label?: string): Promise<string>;
  /** Deletes `name` at stop too: a namespace Haven created (a restore's, a replica) in this emulator's scope. */
  adopt(name: string): void;
  stop(): Promise<void>;
}

/** How a test's emulator runs: `emulator` passes any other NodeEmulator option through (how Haven's image runs, say). */
export interface EmulatedClusterOptions {
  envName?: string;
  snapshotReadyDelayMs?: number;
  nodeCount?: number;
  emulator?: Partial<Omit<NodeEmulatorOptions, 'kubeconfig' | 'dataDir' | 'clusterName' | 'inScope'>>;
}

export async function startEmulatedCluster(options: EmulatedClusterOptions = {}): Promise<EmulatedCluster> {
  const config = loadKubeConfig(stackEnv(options.envName ?? 'KUBECONFIG'));
  const prefix = uniqueName('emu');
  const dataDir = await mkdtemp(join(tmpdir(), 'haven-emulator-'));
  const node = await NodeEmulator.start({
    kubeconfig: config,
    dataDir,
    clusterName: prefix,
    nodeCount: options.nodeCount,
    snapshotReadyDelayMs: options.snapshotReadyDelayMs,
    inScope: (namespace) => namespace.startsWith(`${prefix}-`),
    log: (message) => process.env.EMULATOR_DEBUG && console.error(message),
    ...options.emulator,
  });
  const api = connect(config);
  const namespaces: string[] = [];
  let counter = 0;
  return {
    node,
    api,
    config,
    dataDir,
    prefix,
    async namespace(label = 'ns') {
      const name = `${prefix}-${label}-${++counter}`;
      await api.core.createNamespace({ body: { metadata: { name } } });
      namespaces.push(name);
      await eventually(() => api.core.readNamespacedServiceAccount({ name: 'default', namespace: name }), `default service account in ${name}`);
      return name;
    },
    adopt(name) {
      if (!namespaces.includes(name)) namespaces.push(name);
    },
    async stop() {
      // The emulator must outlive its namespaces: it finishes their pods, snapshot finalizers and PVs.
      for (const name of namespaces) await api.core.deleteNamespace({ name }).catch(() => undefined);
      await Promise.all(
        namespaces.map((name) =>
          eventually(() => api.core.readNamespace({ name }).then(() => false, (err: { code?: number }) => err.code === 404), `namespace ${name} to be deleted`, 120_000),
        ),
      );
      await eventually(async () => {
        const volumes = await api.core.listPersistentVolume();
        return volumes.items.every((pv) => !pv.metadata?.annotations?.[INSTANCE_ANNOTATION]?.startsWith(`${prefix}-`));
      }, 'the PVs of this emulator to be reclaimed');
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until the probe yields a value; a probe that throws counts as "not yet". */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(150);
  }
}
