import { sharedWorkflowBundle } from '../../support/workflow-bundle.js';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { MoverPodSettings } from '../../../activities/cluster/mover-pods/mover-settings.js';
import type { PodExecutor } from '../../../activities/cluster/exec/pod-executor.js';
import { gatewayConnectionOptions, type GatewaySettings } from '../../../lib/cluster-access/gateway-connection.js';
import { generateKeyEntry } from '../../../lib/common/secrets.js';
import { connectTemporalClient } from '../../../lib/common/temporal/client.js';
import { OrganizationPayloadKeys } from '../../../lib/db/organization-payload-keys.js';
import { createAgentWorker } from '../../../services/agent/agent.js';
import { startGateway, type RunningGateway } from '../../../services/gateway/gateway.js';
import { PrincipalResolver } from '../../../services/gateway/principals.js';
import { createControlWorker, type ControlWorkerOptions } from '../../../services/worker/worker.js';
import { authorized, startTestApi, type Client as ApiClient, type TestApi } from '../../api/helpers/test-api.js';
import { stackEnv, uniqueName } from '../../support/stack-env.js';

/** Haven's image as the node emulator recognises it: mover pods run as processes from this checkout. */
export const MOVER_TEST_IMAGE = 'haven/haven:test';

// Worker state changes at INFO drown test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** A worker started in this process; `stop` waits for in-flight tasks. */
export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export interface BackupStack {
  api: TestApi;
  /** An admin of a fresh organization. */
  client: ApiClient;
  /** That admin's API key, for a client of the API over HTTP (`api.app.listen`). */
  adminKey: string;
  orgId: string;
  /** With the payload codec, like every control-plane process. */
  temporal: Client;
  /** Straight to Temporal, as the control plane connects. */
  connection: NativeConnection;
  payloadKeyEntry: string;
  /** Organizations' payload keys, as the API and the worker hold them. */
  payloadKeys: OrganizationPayloadKeys;
  /** The agent gateway every agent and mover pod of the stack goes through. */
  gateway: RunningGateway & { settings: GatewaySettings };
  /** A fresh agent token for a cluster of the stack's organization (the previous one stops working). */
  issueAgentToken(clusterId: string): Promise<string>;
  /** A connection through the gateway with the cluster's token, for a stand-in agent; closed on close. */
  agentConnection(clusterId: string): Promise<NativeConnection>;
  /**
   * Starts a real agent (KUBECONFIG's cluster, or `kubeConfig`'s) for `clusterId`, connected through the
   * gateway with the cluster's own token, exactly as an installed agent is; hooks exec through
   * `executor` when given (the node emulator's). Its mover pods run MOVER_TEST_IMAGE (the node emulator
   * runs it from this checkout) unless `mover` overrides part of their settings.
   */
  startAgent(clusterId: string, options?: { executor?: PodExecutor; mover?: Partial<MoverPodSettings>; kubeConfig?: KubeConfig; metrics?: Registry }): Promise<RunningWorker>;
  /**
   * Sets the control plane's retention clock (what SafeLock and expiry are judged by) to `at`, or back to
   * the real time: runs take no clock from their input, so tests move the worker's instead of sleeping.
   */
  setControlTime(at: Date | undefined): void;
  /** Starts any worker (e.g. a fake agent) and stops it on close. */
  track(worker: Worker): RunningWorker;
  close(): Promise<void>;
}

function running(worker: Worker): RunningWorker {
  const done = worker.run();
  return {
    worker,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/**
 * The API (with the Temporal seams), the control worker and, on demand, agents, all in this process and
 * against the local stack. Each test file gets its own control task queue: files run in parallel with
 * their own databases, and a worker must never pick up another file's runs.
 */
export async function startBackupStack(
  options: Pick<ControlWorkerOptions, 'gcGraceMs' | 'storageLimits' | 'maintenanceBudgetMs' | 'notificationNetworks' | 'notificationRetry' | 'jobMetrics'> = {},
  apiEnv: Record<string, string> = {},
): Promise<BackupStack> {
  const payloadKeyEntry = generateKeyEntry('p1');
  const env = {
    TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE || 'default',
    HAVEN_PAYLOAD_KEY: payloadKeyEntry,
    HAVEN_CONTROL_TASK_QUEUE: uniqueName('control-test'),
    ...apiEnv,
  };
  const api = await startTestApi({ env });
  const engine = api.config.workflowEngine;
  if (!engine) throw new Error('the test API did not pick up TEMPORAL_ADDRESS');
  const db = api.running.database.db;
  const payloadKeys = new OrganizationPayloadKeys(db, engine.payloadKeyring);
  const temporalHandle = await connectTemporalClient(engine, payloadKeys);
  const connection = await NativeConnection.connect({ address: engine.address });
  const gatewayServer = await startGateway({
    upstream: engine.address,
    namespace: engine.namespace,
    listen: '127.0.0.1:0',
    installationKeyring: engine.payloadKeyring,
    principals: new PrincipalResolver(db, engine.payloadKeyring),
    payloadKeys,
  });
  const gateway = { ...gatewayServer, settings: { address: gatewayServer.address, namespace: engine.namespace } };
  let controlTime: Date | undefined;
  const workers: RunningWorker[] = [];
  const track = (worker: Worker) => {
    const started = running(worker);
    workers.push(started);
    return started;
  };
  track(
    await createControlWorker({
      connection,
      client: temporalHandle.client,
      temporal: engine,
      db,
      keyring: api.config.keyring,
      payloadKeys,
      retentionClock: () => controlTime ?? new Date(),
      workflowBundle: await sharedWorkflowBundle(),
      ...options,
    }),
  );
  const { orgId, keys } = await api.createOrganization();
  const client = authorized(api.app, keys.admin);
  const issueAgentToken = async (clusterId: string) => {
    const response = await client.post(`/clusters/${clusterId}/agent-token`, {});
    if (response.statusCode !== 200) throw new Error(`issuing an agent token for ${clusterId} answered ${response.statusCode}: ${response.body}`);
    return (response.json() as { agentToken: string }).agentToken;
  };
  // One token per cluster for the whole file: a second agent of the same cluster (a restart) reuses it.
  const agentTokens = new Map<string, string>();
  const agentConnections: NativeConnection[] = [];
  const agentConnection = async (clusterId: string) => {
    let token = agentTokens.get(clusterId);
    if (!token) agentTokens.set(clusterId, (token = await issueAgentToken(clusterId)));
    const opened = await NativeConnection.connect(gatewayConnectionOptions(gateway.settings, token));
    agentConnections.push(opened);
    return opened;
  };
  return {
    api,
    client,
    adminKey: keys.admin,
    orgId,
    temporal: temporalHandle.client,
    connection,
    payloadKeyEntry,
    payloadKeys,
    gateway,
    issueAgentToken,
    agentConnection,
    async startAgent(clusterId, { mover, kubeConfig: otherCluster, ...options } = {}) {
      const kubeConfig = otherCluster ?? new KubeConfig();
      if (!otherCluster) kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
      const moverSettings: MoverPodSettings = { image: MOVER_TEST_IMAGE, gateway: gateway.settings, ...mover };
      return track(await createAgentWorker({ connection: await agentConnection(clusterId), namespace: engine.namespace, clusterId, kubeConfig, mover: moverSettings, ...options }));
    },
    setControlTime: (at) => {
      controlTime = at;
    },
    track,
    async close() {
      for (const worker of workers.reverse()) await worker.stop();
      for (const agentConnection of agentConnections) await agentConnection.close();
      await gateway.close();
      await connection.close();
      await temporalHandle.close();
      await api.close();
    },
  };
}
