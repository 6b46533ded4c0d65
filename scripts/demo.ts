import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './stack/paths.js';
import { up } from './stack/stack.js';

/**
 * `npm run demo`: the local stack, then Haven itself — API, control worker, the agent gateway and an
 * agent for the stack's cluster, connected through the gateway with the cluster's own token — with the
 * cluster and an S3 storage target registered, so "run now" on a backup definition works straight away.
 * Ctrl-C stops Haven; `npm run stack -- down` stops the stack.
 */
const port = process.env.PORT ?? '8080';
const gatewayAddress = `127.0.0.1:${process.env.HAVEN_GATEWAY_PORT ?? '7243'}`;
const apiUrl = `http://127.0.0.1:${port}/api/v1`;
const apiKey = process.env.HAVEN_BOOTSTRAP_API_KEY ?? 'haven-demo-admin-key-for-local-use-only';
// Fixed keys keep the demo's database readable across restarts; real installations set their own.
const demoKeys = {
  HAVEN_SECRET_KEY: process.env.HAVEN_SECRET_KEY ?? `demo:${Buffer.alloc(32, 7).toString('base64')}`,
  HAVEN_PAYLOAD_KEY: process.env.HAVEN_PAYLOAD_KEY ?? `demo:${Buffer.alloc(32, 9).toString('base64')}`,
};
const children: ChildProcess[] = [];

function startService(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, entry)], { stdio: ['ignore', 'inherit', 'inherit'], env });
  child.on('exit', (code) => {
    if (code) process.stderr.write(`[demo] ${name} exited with code ${code}\n`);
  });
  children.push(child);
  return child;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Finds a record by exact name, or creates it: the demo can be restarted on the same database. */
async function ensure(collection: string, name: string, create: () => unknown): Promise<{ id: string }> {
  const page = await call<{ items: { id: string; name: string }[] }>('GET', `/${collection}?name=${encodeURIComponent(name)}&limit=200`);
  return page.items.find((item) => item.name === name) ?? call<{ id: string }>('POST', `/${collection}`, create());
}

async function main(): Promise<void> {
  const stack = await up(Number(process.env.HAVEN_STACK_CLUSTERS ?? 1));
  const env = { ...process.env, ...stack, ...demoKeys, PORT: port, HAVEN_BOOTSTRAP_API_KEY: apiKey, HAVEN_AGENT_GATEWAY_ADDRESS: gatewayAddress };
  startService('api', 'services/api/main.ts', env);
  for (let i = 0; ; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 240) throw new Error('the API did not become healthy; see its output above');
    await sleep(250);
  }
  startService('worker', 'services/worker/main.ts', env);
  startService('gateway', 'services/gateway/main.ts', { ...env, HAVEN_GATEWAY_LISTEN: gatewayAddress });
  const target = await ensure('storage-targets', 'local-s3', () => ({
    name: 'local-s3',
    kind: 'S3',
    endpoint: stack.S3_ENDPOINT,
    region: stack.S3_REGION,
    bucket: stack.S3_BUCKET,
    prefix: 'demo',
    pathStyle: true,
    objectLockCapable: true,
    credentials: { accessKeyId: stack.S3_ACCESS_KEY_ID, secretAccessKey: stack.S3_SECRET_ACCESS_KEY },
  }));
  const cluster = await ensure('clusters', 'local', () => ({ name: 'local', defaultStorageTargetId: target.id }));
  // A fresh token each start (the demo does not keep the one shown at registration); the agent holds no
  // payload key and no Temporal address, as an installed agent does not.
  const { agentToken } = await call<{ agentToken: string }>('POST', `/clusters/${cluster.id}/agent-token`, {});
  const agentEnv = { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: stack.KUBECONFIG, HAVEN_CLUSTER_ID: cluster.id, HAVEN_AGENT_TOKEN: agentToken, HAVEN_GATEWAY_ADDRESS: gatewayAddress, TEMPORAL_NAMESPACE: stack.TEMPORAL_NAMESPACE };
  startService('agent', 'services/agent/main.ts', agentEnv);

  process.stdout.write(
    [
      '',
      'Haven demo',
      `  API              http://127.0.0.1:${port}  (docs: /docs, OpenAPI: /openapi.json)`,
      `  API key          ${apiKey}`,
      `  Agent gateway ${gatewayAddress}  (agents and mover pods connect here with their own tokens)`,
      `  cluster          "local" ${cluster.id}  (KUBECONFIG=${stack.KUBECONFIG})`,
      `  storage target   "local-s3" ${target.id}  (${stack.S3_ENDPOINT}, bucket ${stack.S3_BUCKET}, Object Lock)`,
      `  Temporal UI      ${stack.TEMPORAL_UI_URL}`,
      `  Postgres         ${stack.DATABASE_URL}`,
      `  RDS (moto)       ${stack.AWS_ENDPOINT_URL_RDS}`,
      `  all variables    ${join(stack.HAVEN_RUN_DIR ?? '', 'env')}`,
      '',
      'Create a backup definition for cluster "local" (POST /api/v1/backup-definitions) and run it',
      '(POST /api/v1/backup-definitions/{id}/actions/run); follow the run in the Temporal UI.',
      'Ctrl-C stops Haven; `npm run stack -- down` stops the stack.',
      '',
    ].join('\n'),
  );
  await new Promise((resolveStop) => process.once('SIGINT', resolveStop));
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
  });
