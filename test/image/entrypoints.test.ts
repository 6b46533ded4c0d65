import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVEN_PROCESS_COMMANDS } from '../../lib/common/haven-image.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { clusterPrincipal, clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { lastActivityPollTime } from '../../lib/common/temporal/task-queue-pollers.js';
import { moverContainerSecurity, MOVER_POD_SECURITY } from '../../activities/cluster/mover-pods/mover-security.js';
import type { HavenImageBuild } from '../../scripts/image/build.js';
import { IMAGE_USER, IMAGE_WORKFLOW_BUNDLE } from '../../scripts/image/spec.js';
import { containerSecurity } from '../emulator/kubelet/container-security.js';
import { createCluster } from '../api/helpers/fixtures.js';
import { authorized, startTestApi, type TestApi } from '../api/helpers/test-api.js';
import { statusOf } from '../gateway/helpers/grpc-status.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { freePort, havenImageBuild, startFromImage, waitFor, type ImageContainer } from './helpers/image-container.js';

// Every entrypoint of Haven's image, started from the image's own root filesystem (chrooted, as the
// image's user, read-only root), against the stack: a file the build leaves out fails here.
const { temporal } = proto;
const namespace = stackEnv('TEMPORAL_NAMESPACE');

let image: HavenImageBuild;
let api: TestApi;
let temporalClient: Client;
let scratch: string;
const containers: ImageContainer[] = [];
const payloadKey = generateKeyEntry('image1');

async function start(argv: readonly string[], options: Parameters<typeof startFromImage>[2]): Promise<ImageContainer> {
  const container = await startFromImage(image, argv, options);
  containers.push(container);
  return container;
}

/** What the image's services share: the test API's database, the stack's Temporal, fresh keys. */
function serviceEnv(): Record<string, string> {
  return {
    DATABASE_URL: api.config.databaseUrl,
    TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'),
    TEMPORAL_NAMESPACE: namespace,
    HAVEN_SECRET_KEY: generateKeyEntry('image2'),
    HAVEN_PAYLOAD_KEY: payloadKey,
  };
}

beforeAll(async () => {
  // The first run on a machine builds the image (minutes); later runs find it by its inputs' hash.
  image = await havenImageBuild();
  api = await startTestApi();
  temporalClient = new Client({ connection: await Connection.connect({ address: stackEnv('TEMPORAL_ADDRESS') }), namespace });
  scratch = await mkdtemp(join(tmpdir(), 'haven-image-test-'));
  await chmod(scratch, 0o755);
}, 900_000);

afterAll(async () => {
  for (const container of containers) await container.stop();
  await temporalClient?.connection.close();
  await api?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("Haven's image", () => {
  it('is an OCI layout tagged with the one image setting, beside its unpacked root filesystem', async () => {
    const index = JSON.parse(await readFile(join(image.oci, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual([image.tag]);
    expect(image.rootfsBytes).toBeGreaterThan(0);
  });

  it('runs the API: /healthz answers and /openapi.json is the API document', async () => {
    const port = await freePort();
    const container = await start(HAVEN_PROCESS_COMMANDS.api, {
      name: 'api',
      env: { ...serviceEnv(), PORT: String(port), HOST: '127.0.0.1', HAVEN_EXPIRY_INTERVAL_MINUTES: '0' },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(container, 'answering /healthz', async () => (await fetch(`${base}/healthz`)).ok);
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/v1/clusters');
  });

  it('runs the migrations: an already migrated database is left as it is, exit 0', async () => {
    const migrate = await start(HAVEN_PROCESS_COMMANDS.migrate, { name: 'migrate', env: { DATABASE_URL: api.config.databaseUrl } });
    expect(await migrate.exited, migrate.output()).toBe(0);
  });

  it('runs the control worker from the workflows bundled at build: it polls its task queue on Temporal, and /healthz says so', async () => {
    const taskQueue = uniqueName('image-control');
    const healthPort = await freePort();
    const container = await start(HAVEN_PROCESS_COMMANDS.worker, { name: 'worker', env: { ...serviceEnv(), HAVEN_CONTROL_TASK_QUEUE: taskQueue, HAVEN_WORKER_HEALTH_PORT: String(healthPort) } });
    // The image's HAVEN_WORKFLOW_BUNDLE: no webpack at start, nothing written (the root is read-only here).
    await waitFor(container, 'polling its workflow task queue', async () => {
      const response = await temporalClient.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (response.pollers ?? []).length > 0;
    }, 180_000);
    expect(container.output()).toContain(`workflows from ${IMAGE_WORKFLOW_BUNDLE}`);
    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { state: 'RUNNING' }]);
  });

  it('runs the gateway, and an agent connects through it with its cluster token and polls its queue', async () => {
    const port = await freePort();
    const gatewayAddress = `127.0.0.1:${port}`;
    const gateway = await start(HAVEN_PROCESS_COMMANDS.gateway, { name: 'gateway', env: { ...serviceEnv(), HAVEN_GATEWAY_LISTEN: gatewayAddress } });
    // Listening and checking tokens against the database: an unknown token is UNAUTHENTICATED (16).
    await waitFor(gateway, 'refusing an unknown token', async () => (await statusOf(() => Connection.connect({ address: gatewayAddress, apiKey: 'hvn_agent_unknown', tls: false }))) === 16);

    const organization = await api.createOrganization();
    const cluster = await createCluster(authorized(api.app, organization.keys.admin));
    // The kubeconfig as a mounted Secret would be: readable by the image's user, read-only.
    const kubeconfig = join(scratch, 'kubeconfig');
    await copyFile(stackEnv('KUBECONFIG'), kubeconfig);
    await chmod(kubeconfig, 0o644);
    const agent = await start(HAVEN_PROCESS_COMMANDS.agent, {
      name: 'agent',
      env: {
        HAVEN_CLUSTER_ID: cluster.id,
        HAVEN_AGENT_TOKEN: cluster.agentToken,
        HAVEN_GATEWAY_ADDRESS: gatewayAddress,
        TEMPORAL_NAMESPACE: namespace,
        KUBECONFIG: '/etc/haven/kubeconfig',
      },
      mounts: [{ containerPath: '/etc/haven/kubeconfig', hostPath: kubeconfig, readOnly: true }],
    });
    // A poller the gateway authenticated as this cluster: what makes the cluster ACTIVE.
    await waitFor(agent, 'polling cluster.<id> through the gateway', async () => (await lastActivityPollTime(temporalClient, namespace, clusterTaskQueue(cluster.id), clusterPrincipal(cluster.id))) !== undefined);
  });

  it('runs the data mover: it loads its whole module graph and stops on its missing configuration', async () => {
    const mover = await start([...HAVEN_PROCESS_COMMANDS.mover, '--memory-limit-mb', '256'], { name: 'mover', env: {} });
    expect(await mover.exited).not.toBe(0);
    // The configuration is read after every import (Temporal's worker, zstd, the repository): reaching it means they loaded.
    expect(mover.output()).toMatch(/^haven mover: HAVEN_GATEWAY_ADDRESS is not set/m);
  });

  it("backs a directory up and restores it with the mover's repository code, zstd and xattrs included", async () => {
    const source = join(scratch, 'source');
    const repository = join(scratch, 'repository');
    const target = join(scratch, 'target');
    for (const dir of [source, repository, target]) await mkdir(dir, { recursive: true, mode: 0o777 });
    for (const dir of [repository, target]) await chmod(dir, 0o777);
    await writeFile(join(source, 'hello.txt'), 'hello from the image\n'.repeat(500));
    // The mover keeps extended attributes through the image's getfattr/setfattr (Debian's attr package).
    execFileSync('setfattr', ['-n', 'user.haven', '-v', 'from-the-image', join(source, 'hello.txt')]);
    await mkdir(join(source, 'nested'));
    await writeFile(join(source, 'nested', 'data.bin'), Buffer.alloc(200_000, 7));
    // As mover pods run: root with only their purpose's capabilities (mover-security.ts), resolved as the emulated kubelet does.
    const moverSecurity = (purpose: 'backup' | 'restore') =>
      containerSecurity({ spec: { containers: [], securityContext: MOVER_POD_SECURITY } }, { name: 'mover', securityContext: moverContainerSecurity(purpose) }, IMAGE_USER, []);
    const cli = (args: string[]) =>
      start(['node', '--import', 'tsx', 'lib/datamover/cli.ts', ...args], {
        name: 'mover',
        security: moverSecurity(args[0] === 'restore' ? 'restore' : 'backup'),
        env: { HAVEN_REPOSITORY_SECRET: 'image-test-secret' },
        mounts: [
          { containerPath: '/data', hostPath: source, readOnly: true },
          { containerPath: '/repository', hostPath: repository, readOnly: false },
          { containerPath: '/restore', hostPath: target, readOnly: false },
        ],
      });
    const run = async (args: string[]) => {
      const container = await cli(args);
      const code = await container.exited;
      expect(code, container.output()).toBe(0);
      return JSON.parse(container.output().trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    };
    await run(['init', '--repository', '/repository', '--kdf-cost', '1024']);
    const backup = await run(['backup', '--repository', '/repository', '--source', '/data', '--volume', 'pv', '--parent', 'none']);
    await run(['restore', '--repository', '/repository', '--snapshot', (backup.snapshot as { id: string }).id, '--target', '/restore']);
    expect(await readFile(join(target, 'hello.txt'), 'utf8')).toBe(await readFile(join(source, 'hello.txt'), 'utf8'));
    expect(execFileSync('getfattr', ['--only-values', '-n', 'user.haven', join(target, 'hello.txt')], { encoding: 'utf8' })).toBe('from-the-image');
    expect((await readFile(join(target, 'nested', 'data.bin'))).equals(Buffer.alloc(200_000, 7))).toBe(true);
  });
});
