import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { HavenApi, apiHealthy } from '../../scripts/demo/api-client.js';
import { HavenProcesses, waitFor } from '../../scripts/demo/services.js';
import { freePort } from '../../scripts/stack/ports.js';
import { createTestDatabase } from '../../test/api/helpers/test-database.js';

/** Requests per window the bench's key may make: it starts and follows a hundred runs at once. */
const BENCH_RATE_LIMIT = '1000000';
/** How long a process may take to come up on a loaded machine. */
const START_TIMEOUT_MS = 180_000;

/** Haven's four processes, started from this checkout against the stack, on a database of their own. */
export interface BenchHaven {
  api: HavenApi;
  processes: HavenProcesses;
  databaseUrl: string;
  clusterId: string;
  close(): Promise<void>;
}

/** Peak and current resident set of a process, in MiB, from /proc (VmHWM is the kernel's own high-water mark). */
export function residentMiB(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { peak: field('VmHWM'), now: field('VmRSS') };
}

/**
 * The API, the control worker and the gateway as the container runs them, then a storage target on the
 * stack's S3 server, a cluster for the stack's kube-apiserver and its agent (through the gateway, with
 * its own token), all in a fresh database so nothing another run left is counted.
 */
export async function startHaven(stack: Record<string, string>, logDir: string, run: string): Promise<BenchHaven> {
  const database = await createTestDatabase();
  const processes = new HavenProcesses(logDir);
  try {
    const [apiPort, gatewayPort] = [await freePort(), await freePort()];
    const gatewayAddress = `127.0.0.1:${gatewayPort}`;
    const apiKey = randomBytes(24).toString('hex');
    const env = {
      ...process.env,
      ...stack,
      DATABASE_URL: database.url,
      PORT: String(apiPort),
      HAVEN_SECRET_KEY: generateKeyEntry('bench'),
      HAVEN_PAYLOAD_KEY: generateKeyEntry('benchp'),
      HAVEN_BOOTSTRAP_API_KEY: apiKey,
      HAVEN_AGENT_GATEWAY_ADDRESS: gatewayAddress,
      HAVEN_CONTROL_TASK_QUEUE: `bench-control-${run}`,
      HAVEN_RATE_LIMIT_PER_KEY: BENCH_RATE_LIMIT,
      HAVEN_RATE_LIMIT_PER_ORGANIZATION: BENCH_RATE_LIMIT,
      HAVEN_EXPIRY_INTERVAL_MINUTES: '0',
      HAVEN_SWEEP_INTERVAL_MINUTES: '0',
      HAVEN_RDS_INVENTORY_INTERVAL_MINUTES: '0',
    };
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    const api = processes.start('api', 'services/api/main.ts', env);
    await waitFor('the API becoming healthy', () => apiHealthy(baseUrl), START_TIMEOUT_MS, `see ${api.logFile}`);
    processes.start('worker', 'services/worker/main.ts', env);
    processes.start('gateway', 'services/gateway/main.ts', { ...env, HAVEN_GATEWAY_LISTEN: gatewayAddress });
    const client = new HavenApi(baseUrl, apiKey);
    const target = await client.post<{ id: string }>('/storage-targets', {
      name: 'bench',
      kind: 'S3',
      endpoint: stack.S3_ENDPOINT,
      region: stack.S3_REGION,
      bucket: stack.S3_PLAIN_BUCKET || stack.S3_BUCKET,
      prefix: `bench/workflows-${run}`,
      pathStyle: true,
      objectLockCapable: false,
      credentials: { accessKeyId: stack.S3_ACCESS_KEY_ID, secretAccessKey: stack.S3_SECRET_ACCESS_KEY },
    });
    const cluster = await client.post<{ id: string }>('/clusters', { name: 'bench', defaultStorageTargetId: target.id });
    const token = (await client.post<{ agentToken: string }>(`/clusters/${cluster.id}/agent-token`, {})).agentToken;
    const agent = processes.start('agent', 'services/agent/main.ts', {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: stack.KUBECONFIG,
      HAVEN_CLUSTER_ID: cluster.id,
      HAVEN_AGENT_TOKEN: token,
      HAVEN_GATEWAY_ADDRESS: gatewayAddress,
      TEMPORAL_NAMESPACE: stack.TEMPORAL_NAMESPACE,
    });
    const active = async () => (await client.get<{ status: string }>(`/clusters/${cluster.id}`)).status === 'ACTIVE';
    await waitFor('the cluster becoming ACTIVE', active, START_TIMEOUT_MS, `see ${agent.logFile}`);
    return {
      api: client,
      processes,
      databaseUrl: database.url,
      clusterId: cluster.id,
      close: async () => {
        await processes.stopAll();
        await database.drop();
      },
    };
  } catch (error) {
    await processes.stopAll();
    await database.drop();
    throw new Error(`${(error as Error).message} (logs in ${logDir})`, { cause: error });
  }
}
