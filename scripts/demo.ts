import { join } from 'node:path';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { NodeEmulator } from '../test/emulator/node-emulator.js';
import { buildConsole } from './console/build.js';
import { HavenApi, apiHealthy } from './demo/api-client.js';
import { storedBytes } from './demo/bucket-usage.js';
import { compareInventories, takeInventory } from './demo/inventory.js';
import { ensureCluster, ensureStorageTarget, issueAgentToken, DEMO_PREFIX, type StackStorage } from './demo/registration.js';
import { report } from './demo/report.js';
import { APP_NAMESPACES, deployApp, removeApp } from './demo/sample-app.js';
import { HavenProcesses, waitFor } from './demo/services.js';
import { cancelEarlierRuns, ensureBackupDefinition, expectCompleted, recoveryPointOf, runBackup, runRestore } from './demo/story.js';
import { bytes, duration } from './demo/units.js';
import { logDir, runDir } from './stack/paths.js';
import { portOpen } from './stack/ports.js';
import { isRunning } from './stack/processes.js';
import { down, stackComponents, status, up } from './stack/stack.js';

/**
 * `npm run demo`: the whole story on one machine. The local stack (reused when it runs), Haven's processes
 * and the node emulator for the stack's cluster; a sample application with data; then, through the public
 * REST API only, a backup with live progress, the application's namespaces deleted, a restore, and a
 * verification that every resource and every volume's bytes came back. Haven stays up for exploring;
 * Ctrl-C stops what the demo started.
 */
const port = Number(process.env.PORT ?? 8080);
const gatewayPort = Number(process.env.HAVEN_GATEWAY_PORT ?? 7243);
const gatewayAddress = `127.0.0.1:${gatewayPort}`;
const baseUrl = `http://127.0.0.1:${port}`;
const apiKey = process.env.HAVEN_BOOTSTRAP_API_KEY ?? 'haven-demo-admin-key-for-local-use-only';
const clusters = Number(process.env.HAVEN_STACK_CLUSTERS ?? 1);
// Fixed keys keep the demo's database readable across restarts; real installations set their own.
const demoKeys = {
  HAVEN_SECRET_KEY: process.env.HAVEN_SECRET_KEY ?? `demo:${Buffer.alloc(32, 7).toString('base64')}`,
  HAVEN_PAYLOAD_KEY: process.env.HAVEN_PAYLOAD_KEY ?? `demo:${Buffer.alloc(32, 9).toString('base64')}`,
};

const services = new HavenProcesses(join(logDir, 'demo'));
let emulator: NodeEmulator | undefined;
let stackStartedHere = false;
const timings: { label: string; seconds: number }[] = [];

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  timings.push({ label, seconds: (Date.now() - started) / 1000 });
  return result;
}

/** Whether every component of the stack already runs: then the demo reuses it and leaves it running. */
function stackAlreadyRunning(): boolean {
  const recorded = status().components;
  return stackComponents(clusters).every((c) => recorded[c.name]?.pids.every((pid) => isRunning(pid, recorded[c.name]!.programHint)));
}

async function startHaven(stack: Record<string, string>): Promise<{ api: HavenApi; clusterId: string; targetId: string; targetUpdated: boolean }> {
  for (const [what, p, variable] of [['the API', port, 'PORT'], ['the agent gateway', gatewayPort, 'HAVEN_GATEWAY_PORT']] as const) {
    if (await portOpen(p)) throw new Error(`port ${p} for ${what} is in use (another demo?): stop it, or set ${variable} to a free port`);
  }
  // The web console's build (cached by content hash), served by the API at /console/.
  const consoleDir = await buildConsole();
  const env = {
    ...process.env, ...stack, ...demoKeys, PORT: String(port), HAVEN_BOOTSTRAP_API_KEY: apiKey, HAVEN_AGENT_GATEWAY_ADDRESS: gatewayAddress, HAVEN_CONSOLE_DIR: consoleDir,
  };
  const apiProcess = services.start('api', 'services/api/main.ts', env);
  await waitFor('the API becoming healthy', () => apiHealthy(baseUrl), 120_000, `see ${apiProcess.logFile}`);
  services.start('worker', 'services/worker/main.ts', env);
  services.start('gateway', 'services/gateway/main.ts', { ...env, HAVEN_GATEWAY_LISTEN: gatewayAddress });
  const api = new HavenApi(baseUrl, apiKey);
  const target = await ensureStorageTarget(api, stack as unknown as StackStorage);
  const cluster = await ensureCluster(api, target.id);
  return { api, clusterId: cluster.id, targetId: target.id, targetUpdated: target.updated };
}

/** The agent runs as an installed one does: it holds no payload key and no Temporal address. */
async function startAgent(api: HavenApi, stack: Record<string, string>, clusterId: string, node: NodeEmulator): Promise<void> {
  const agent = services.start('agent', 'services/agent/main.ts', {
    PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: stack.KUBECONFIG, HAVEN_CLUSTER_ID: clusterId,
    HAVEN_AGENT_TOKEN: await issueAgentToken(api, clusterId), HAVEN_GATEWAY_ADDRESS: gatewayAddress,
    TEMPORAL_NAMESPACE: stack.TEMPORAL_NAMESPACE, HAVEN_KUBELET_PODS_DIR: node.podsDir(),
  });
  const active = async () => (await api.get<{ status: string }>(`/clusters/${clusterId}`)).status === 'ACTIVE';
  await waitFor('the cluster becoming ACTIVE (its agent polling through the gateway)', active, 150_000, `see ${agent.logFile}`);
}

async function deleteNamespaces(kubeConfig: KubeConfig): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (const name of APP_NAMESPACES) await core.deleteNamespace({ name });
  await removeApp(kubeConfig);
}

async function main(): Promise<void> {
  say('Haven demo: a backup and a verified restore of a sample application, through the REST API\n');
  say('1. Local stack (Postgres, Temporal, S3, a Kubernetes control plane)');
  stackStartedHere = !stackAlreadyRunning();
  const stack = await timed('stack', () => up(clusters));
  say(`\n2. Haven: API, control worker, agent gateway (logs in ${join(logDir, 'demo')})`);
  const { api, clusterId, targetId, targetUpdated } = await timed('services', () => startHaven(stack));
  if (targetUpdated) say(`   storage target "local-s3" now points at ${stack.S3_ENDPOINT} (the S3 server moved since it was registered)`);
  say('3. Node emulator for the cluster (kubelet, scheduler, CSI driver with snapshots), and the agent');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.KUBECONFIG!);
  emulator = await NodeEmulator.start({ kubeconfig: kubeConfig, dataDir: join(runDir, 'demo', 'node'), clusterName: 'local' });
  await timed('agent', () => startAgent(api, stack, clusterId, emulator!));
  say(`   cluster "local" ${clusterId} is ACTIVE`);

  say(`4. Sample application in ${APP_NAMESPACES.join(', ')}`);
  const app = await timed('deploy', async () => {
    const cancelled = await cancelEarlierRuns(api);
    if (cancelled > 0) say(`   cancelled ${cancelled} run(s) of an interrupted demo`);
    await removeApp(kubeConfig);
    return deployApp(kubeConfig, emulator!);
  });
  for (const v of app.volumes) say(`   ${v.namespace}: ConfigMap, Secret, Service, Deployment, claim ${v.claim} with ${v.files} files (${bytes(v.bytes)})`);
  const before = await takeInventory(kubeConfig, emulator, APP_NAMESPACES);

  say('5. Backup: POST /api/v1/backup-definitions, then …/actions/run; progress from GET /api/v1/jobs/{id}');
  const definition = await ensureBackupDefinition(api, clusterId, APP_NAMESPACES);
  const bucketBefore = await storedBytes(stack as unknown as StackStorage, DEMO_PREFIX);
  const backup = await runBackup(api, definition.id);
  expectCompleted(backup, 'backup');
  const bucketGrowth = (await storedBytes(stack as unknown as StackStorage, DEMO_PREFIX)) - bucketBefore;
  say(`   ${backup.status}: ${backup.message} (${duration(backup.durationSeconds ?? 0)})`);
  const point = await recoveryPointOf(api, definition.id, backup.id);
  say(`   recovery point ${point.id}`);

  say(`6. Disaster: namespaces ${APP_NAMESPACES.join(', ')} deleted, volumes included`);
  await timed('delete', () => deleteNamespaces(kubeConfig));

  say('7. Restore: POST /api/v1/restores, then …/actions/run');
  const restore = await runRestore(api, point.id, clusterId);
  expectCompleted(restore, 'restore');
  say(`   ${restore.status}: ${restore.message} (${duration(restore.durationSeconds ?? 0)})`);

  say('8. Verification: every resource and every volume digest, before the backup against after the restore');
  const after = await timed('verify', () => takeInventory(kubeConfig, emulator!, APP_NAMESPACES));
  const differences = compareInventories(before, after);
  process.stdout.write(
    report({
      backup, restore, point, bucketGrowth, differences, timings,
      resourcesCompared: before.resources.size, volumesCompared: before.volumes.size,
      temporalUiUrl: `${stack.TEMPORAL_UI_URL}/namespaces/${stack.TEMPORAL_NAMESPACE ?? 'default'}/workflows`,
    }),
  );
  if (differences.length > 0) process.exitCode = 1;
  say(
    [
      '',
      'Haven keeps running for you to explore:',
      `  API            ${baseUrl}/api/v1  (docs: ${baseUrl}/docs, OpenAPI: ${baseUrl}/openapi.json)`,
      `  Console        ${baseUrl}/console/  (sign in with the API key below)`,
      `  API key        ${apiKey}`,
      `                 e.g. curl -H 'Authorization: Bearer ${apiKey}' ${baseUrl}/api/v1/jobs`,
      `  Temporal UI    ${stack.TEMPORAL_UI_URL}`,
      `  storage target "local-s3" ${targetId} (${stack.S3_ENDPOINT}, bucket ${stack.S3_BUCKET}, prefix ${DEMO_PREFIX}/)`,
      `  cluster        "local" ${clusterId}  (KUBECONFIG=${stack.KUBECONFIG})`,
      `  stack env      ${join(runDir, 'env')}`,
      '',
      stackStartedHere
        ? 'Ctrl-C stops Haven, the node emulator and the stack this demo started (data stays; the next `npm run demo` reuses it).'
        : 'Ctrl-C stops Haven and the node emulator; the stack was already running and stays up (`npm run stack -- down` stops it).',
    ].join('\n'),
  );
}

let stopping: Promise<void> | undefined;
/** Everything the demo started, in reverse: the agent and services, the emulator and its pods, the stack. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    await services.stopAll();
    say('  Haven\'s processes stopped');
    if (emulator) {
      await emulator.stop().catch((err: unknown) => process.stderr.write(`[demo] stopping the node emulator: ${String(err)}\n`));
      say('  node emulator and its pods stopped');
    }
    if (stackStartedHere) await down();
  })();
  return stopping;
}

// `on`, not `once`: a terminal's Ctrl-C reaches the demo twice (directly and relayed by tsx), and a second
// signal without a listener would end the demo before it has stopped what it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    say('\nStopping what the demo started…');
    void stopAll().finally(() => process.exit(process.exitCode ?? 130));
  });
}

main().catch(async (err: unknown) => {
  // Ctrl-C stops the services under a step that is still talking to them: its failure is no news.
  if (stopping) return;
  process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n(logs: ${join(logDir, 'demo')} and ${logDir})\n`);
  process.exitCode = 1;
  await stopAll();
  process.exit(1);
});
