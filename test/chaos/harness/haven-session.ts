import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HavenApi, apiHealthy } from '../../../scripts/demo/api-client.js';
import { HavenProcesses, waitFor } from '../../../scripts/demo/services.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { generateKeyEntry } from '../../../lib/common/secrets.js';
import { WORKFLOW_BUNDLE_ENV, bundleControlWorkflows } from '../../../services/worker/workflow-bundle.js';
import { createTestDatabase } from '../../api/helpers/test-database.js';
import { deployEmulatedApp, type EmulatedApp } from '../../backup/helpers/emulated-app.js';
import { startEmulatedCluster, type EmulatedCluster } from '../../emulator/helpers/cluster.js';
import { volumeDigest } from '../../fixtures/volume-digest.js';
import { stackEnv, uniqueName } from '../../support/stack-env.js';
import type { ServerFaults } from './server-faults.js';

/** Haven's processes the suite kills, by the names the processes are started under. */
export const HAVEN_PROCESSES = ['api', 'worker', 'gateway', 'agent'] as const;
export type HavenProcessName = (typeof HAVEN_PROCESSES)[number];

/** How long a process may take to come back after a restart (a worker bundles its workflows at start). */
const PROCESS_START_MS = 180_000;

/** One claim with known data in each namespace of the sample application, and its digest before any run. */
export interface SampleVolume extends EmulatedApp {
  digest: string;
}

/**
 * Haven as an installation runs it: the API, the control worker, the agent gateway and an agent, each its
 * own process (so a SIGKILL is a real crash), on a database of their own, in front of an emulated cluster
 * whose mover pods are processes too. The suite talks to it only through the REST API.
 */
export interface HavenSession {
  api: HavenApi;
  /** The organization admin key the API was bootstrapped with (what a person signs in with). */
  apiKey: string;
  processes: HavenProcesses;
  servers: ServerFaults;
  cluster: EmulatedCluster;
  clusterId: string;
  storageTargetId: string;
  /** The repository location inside the stack's bucket (unique per session). */
  prefix: string;
  volumes: SampleVolume[];
  /** The settings the control plane runs with, for reading its secrets back (the verify step). */
  keys: { HAVEN_SECRET_KEY: string; databaseUrl: string };
  /** Starts a crashed process again and waits until it serves. */
  restart(name: HavenProcessName): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  logDir: string;
  /**
   * The control workflows bundled beforehand (HAVEN_WORKFLOW_BUNDLE), as the image carries them; bundled
   * once here when absent. Without it every restart of the killed worker runs webpack again, which on a
   * loaded machine makes a worker fault cost a minute or two more than the crash it stands for.
   */
  workflowBundlePath?: string;
  /** Builds the servers the suite restarts, on the session's own database. */
  servers(databaseUrl: string): Promise<ServerFaults>;
}

export async function startHavenSession(options: SessionOptions): Promise<HavenSession> {
  const database = await createTestDatabase();
  const servers = await options.servers(database.url);
  const apiPort = await freePort();
  const gatewayAddress = `127.0.0.1:${await freePort()}`;
  const apiKey = `chaos-${generateKeyEntry('k').slice(2)}`.replace(/[^A-Za-z0-9-]/g, 'x');
  const keys = { HAVEN_SECRET_KEY: generateKeyEntry('c1'), HAVEN_PAYLOAD_KEY: generateKeyEntry('p1') };
  const workflowBundlePath = options.workflowBundlePath ?? (await bundleWorkflowsInto(options.logDir));
  const env = {
    ...process.env, ...servers.env, ...keys, [WORKFLOW_BUNDLE_ENV]: workflowBundlePath,
    PORT: String(apiPort), HAVEN_BOOTSTRAP_API_KEY: apiKey, HAVEN_AGENT_GATEWAY_ADDRESS: gatewayAddress,
    HAVEN_GATEWAY_LISTEN: gatewayAddress, HAVEN_CONTROL_TASK_QUEUE: uniqueName('chaos-control'),
  };
  const processes = new HavenProcesses(options.logDir);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const api = new HavenApi(baseUrl, apiKey);
  const ready: Record<HavenProcessName, () => Promise<void>> = {
    api: () => waitFor('the API to serve', () => apiHealthy(baseUrl), PROCESS_START_MS, `see ${join(options.logDir, 'api.log')}`),
    worker: async () => undefined,
    gateway: async () => undefined,
    agent: async () => undefined,
  };
  processes.start('api', 'services/api/main.ts', env);
  await ready.api();
  processes.start('worker', 'services/worker/main.ts', env);
  processes.start('gateway', 'services/gateway/main.ts', env);
  const prefix = uniqueName('chaos');
  const target = await api.post<{ id: string }>('/storage-targets', {
    name: prefix, kind: 'S3', endpoint: stackEnv('S3_ENDPOINT'), region: stackEnv('S3_REGION'), bucket: stackEnv('S3_BUCKET'), prefix, pathStyle: true,
    credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
  });
  const registered = await api.post<{ id: string }>('/clusters', { name: prefix, defaultStorageTargetId: target.id });
  const agentToken = (await api.post<{ agentToken: string }>(`/clusters/${registered.id}/agent-token`, {})).agentToken;
  const cluster = await startEmulatedCluster();
  // The agent holds what an installed one holds: its cluster's token and the gateway's address, nothing else.
  processes.start('agent', 'services/agent/main.ts', {
    PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: stackEnv('KUBECONFIG'), HAVEN_CLUSTER_ID: registered.id,
    HAVEN_AGENT_TOKEN: agentToken, HAVEN_GATEWAY_ADDRESS: gatewayAddress, TEMPORAL_NAMESPACE: 'default', HAVEN_KUBELET_PODS_DIR: cluster.node.podsDir(),
  });
  const active = async () => (await api.get<{ status: string }>(`/clusters/${registered.id}`)).status === 'ACTIVE';
  ready.agent = () => waitFor('the cluster to be ACTIVE', active, PROCESS_START_MS, `see ${join(options.logDir, 'agent.log')}`);
  await ready.agent();
  const volumes: SampleVolume[] = [];
  for (const label of ['shop', 'blog']) {
    const app = await deployEmulatedApp(cluster, { label });
    volumes.push({ ...app, digest: await volumeDigest(app.dataPath) });
  }
  return {
    api, apiKey, processes, servers, cluster, clusterId: registered.id, storageTargetId: target.id, prefix, volumes,
    keys: { HAVEN_SECRET_KEY: keys.HAVEN_SECRET_KEY, databaseUrl: database.url },
    async restart(name) {
      processes.restart(name);
      await ready[name]();
    },
    async close() {
      await processes.stopAll();
      await cluster.stop().catch((err: unknown) => process.stderr.write(`[chaos] stopping the emulated cluster: ${String(err)}\n`));
      await servers.close();
      await database.drop();
    },
  };
}

async function bundleWorkflowsInto(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'workflow-bundle.js');
  await writeFile(path, await bundleControlWorkflows());
  return path;
}
