import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { KubeConfig } from '@kubernetes/client-node';
import type { MoverPodSettings } from '../../../activities/cluster/mover-pods/mover-settings.js';
import type { PodExecutor } from '../../../activities/cluster/exec/pod-executor.js';
import { generateKeyEntry } from '../../../lib/common/secrets.js';
import { connectTemporalClient } from '../../../lib/common/temporal/client.js';
import { createAgentWorker } from '../../../services/agent/agent.js';
import { createControlWorker } from '../../../services/worker/worker.js';
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
  orgId: string;
  /** With the payload codec, like every Haven process. */
  temporal: Client;
  connection: NativeConnection;
  payloadKeyEntry: string;
  /**
   * Starts a real agent (KUBECONFIG's cluster, or `kubeConfig`'s) for `clusterId`; hooks exec through
   * `executor` when given (the node emulator's). Its mover pods run MOVER_TEST_IMAGE (the node emulator
   * runs it from this checkout) unless `mover` overrides part of their settings.
   */
  startAgent(clusterId: string, options?: { executor?: PodExecutor; mover?: Partial<MoverPodSettings>; kubeConfig?: KubeConfig }): Promise<RunningWorker>;
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
export async function startBackupStack(): Promise<BackupStack> {
  const payloadKeyEntry = generateKeyEntry('p1');
  const env = {
    TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE || 'default',
    HAVEN_PAYLOAD_KEY: payloadKeyEntry,
    HAVEN_CONTROL_TASK_QUEUE: uniqueName('control-test'),
  };
  const api = await startTestApi({ env });
  const engine = api.config.workflowEngine;
  if (!engine) throw new Error('the test API did not pick up TEMPORAL_ADDRESS');
  const temporalHandle = await connectTemporalClient(engine);
  const connection = await NativeConnection.connect({ address: engine.address });
  const workers: RunningWorker[] = [];
  const track = (worker: Worker) => {
    const started = running(worker);
    workers.push(started);
    return started;
  };
  track(
    await createControlWorker({ connection, client: temporalHandle.client, temporal: engine, db: api.running.database.db, keyring: api.config.keyring }),
  );
  const { orgId, keys } = await api.createOrganization();
  return {
    api,
    client: authorized(api.app, keys.admin),
    orgId,
    temporal: temporalHandle.client,
    connection,
    payloadKeyEntry,
    async startAgent(clusterId, { mover, kubeConfig: otherCluster, ...options } = {}) {
      const kubeConfig = otherCluster ?? new KubeConfig();
      if (!otherCluster) kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
      const moverSettings: MoverPodSettings = { image: MOVER_TEST_IMAGE, temporalAddress: engine.address, temporalNamespace: engine.namespace, payloadKeyring: engine.payloadKeyring, ...mover };
      return track(
        await createAgentWorker({ connection, namespace: engine.namespace, clusterId, kubeConfig, payloadKeyring: engine.payloadKeyring, mover: moverSettings, ...options }),
      );
    },
    track,
    async close() {
      for (const worker of workers.reverse()) await worker.stop();
      await connection.close();
      await temporalHandle.close();
      await api.close();
    },
  };
}
