import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, RbacAuthorizationV1Api, type V1Deployment } from '@kubernetes/client-node';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { helmBinary } from '../../scripts/helm/helm-binary.js';
import { freePort } from '../../scripts/stack/ports.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { createTestDatabase } from '../api/helpers/test-database.js';
import type { Client } from '../api/helpers/test-api.js';
import { MOVER_TEST_IMAGE } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { eventually, startEmulatedCluster, type EmulatedCluster, type EmulatedClusterOptions } from '../emulator/helpers/cluster.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { boundVolume } from '../restore/helpers/bound-volume.js';
import { removeRestoredNamespaces } from '../restore/helpers/restored-namespaces.js';
import { s3Server } from '../support/s3-servers.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { AGENT_CHART, CONTROL_PLANE_CHART, HELM_BUILD_TIMEOUT_MS, helmOk } from './helpers/helm.js';
import { httpClient } from './helpers/http-client.js';
import { havenImageBuild } from '../image/helpers/image-container.js';

/**
 * Both charts installed with helm into the stack's kube-apiserver, as an operator would: the control plane
 * (its pods migrate a fresh database, then serve) and, after registering a cluster through the installed
 * API, the agent with that registration's id and token. The node emulator runs every pod of Haven's image
 * as a process, the agent's mover pods included; pods share this machine's network, so the control
 * plane's ports are free ones. Nothing of Haven runs in this process: the test only speaks HTTP to the
 * installed API.
 */

/**
 * How the emulator runs the charts' containers: from the built image's root filesystem (chrooted, as the
 * pod's user with its capabilities, read-only roots, volumes bind-mounted), the mover pods the installed
 * agent starts included, so a file missing from the image fails here.
 */
async function emulatorOptions(): Promise<EmulatedClusterOptions> {
  return { emulator: { imageRootfs: (await havenImageBuild()).rootfs } };
}
/** Recognised by the emulator as Haven's image (DEFAULT_HAVEN_IMAGE_PATTERN). */
const [IMAGE_REPOSITORY, IMAGE_TAG] = MOVER_TEST_IMAGE.split(':') as [string, string];
const INSTALL_TIMEOUT = '8m';
const TERMINAL = new Set(['COMPLETED', 'PARTIAL', 'FAILED', 'SKIPPED', 'CANCELLED']);

let cluster: EmulatedCluster;
let app: EmulatedApp;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: Client;
let clusterId: string;
let restoredNamespace: string;
const releases: { name: string; namespace: string }[] = [];

async function install(release: string, namespace: string, chart: string, values: Record<string, unknown>) {
  releases.push({ name: release, namespace });
  await helmOk(['install', release, chart, '--namespace', namespace, '--wait', '--timeout', INSTALL_TIMEOUT], values);
}

/** What each Haven container of a namespace printed: shown when an install does not come up. */
async function containerLogs(namespace: string): Promise<string> {
  const pods = await cluster.api.core.listNamespacedPod({ namespace });
  const logs = [];
  for (const pod of pods.items) {
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) logs.push(`--- ${pod.metadata?.name}/${c.name}\n${await cluster.node.containerLog(pod, c.name)}`);
  }
  return logs.join('\n');
}

/** Each running pod's process as it sees itself: the image's Node, the pod's user, the image's files. */
const SELF_REPORT = "console.log(process.execPath, process.getuid(), require('fs').existsSync('/app/workflow-bundle.js'))";
async function selfReports(namespace: string): Promise<Record<string, string>> {
  const pods = await cluster.api.core.listNamespacedPod({ namespace });
  const reports: Record<string, string> = {};
  for (const pod of pods.items.filter((p) => p.status?.phase === 'Running')) {
    const container = pod.spec?.containers[0]?.name ?? '';
    const result = await cluster.node.executor.exec({ namespace, pod: pod.metadata?.name ?? '', container, command: ['node', '-e', SELF_REPORT] });
    reports[pod.metadata?.labels?.['app.kubernetes.io/component'] ?? container] = `${result.stdout.trim()}${result.stderr.trim()}`;
  }
  return reports;
}

async function finished(job: JobView): Promise<JobView> {
  return eventually(async () => {
    const current = expectStatus<JobView>(await client.get(`/jobs/${job.id}`), 200);
    return TERMINAL.has(current.status) ? current : undefined;
  }, `job ${job.id} to finish`, 300_000);
}

beforeAll(async () => {
  await helmBinary();
}, HELM_BUILD_TIMEOUT_MS);

beforeAll(async () => {
  cluster = await startEmulatedCluster(await emulatorOptions());
  app = await deployEmulatedApp(cluster, { label: 'app' });
  restoredNamespace = `${cluster.prefix}-restored`;
  database = await createTestDatabase();
}, 900_000);

async function uninstall(release: { name: string; namespace: string }) {
  await helmOk(['uninstall', release.name, '--namespace', release.namespace, '--wait', '--timeout', '2m']);
  releases.splice(releases.indexOf(release), 1);
}

afterAll(async () => {
  // What a failed test left installed.
  for (const release of [...releases].reverse()) await uninstall(release).catch((error: Error) => console.error(error.message));
  if (cluster) await removeRestoredNamespaces(cluster.api, [restoredNamespace]);
  await cluster?.stop();
  await database?.drop();
}, 300_000);

describe('the control plane chart', () => {
  let namespace: string;
  let apiUrl: string;
  let gatewayAddress: string;
  const bootstrapKey = randomBytes(24).toString('hex');

  beforeAll(async () => {
    namespace = await cluster.namespace('haven');
    const [apiPort, gatewayPort, workerHealthPort] = [await freePort(), await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    gatewayAddress = `127.0.0.1:${gatewayPort}`;
    await install(uniqueName('haven'), namespace, CONTROL_PLANE_CHART, {
      image: { repository: IMAGE_REPOSITORY, tag: IMAGE_TAG },
      database: { url: database.url },
      temporal: { address: stackEnv('TEMPORAL_ADDRESS'), namespace: stackEnv('TEMPORAL_NAMESPACE'), controlTaskQueue: uniqueName('control-helm') },
      secrets: { secretKey: generateKeyEntry('k1'), payloadKey: generateKeyEntry('p1'), bootstrapApiKey: bootstrapKey },
      // Expiry off: the shared Temporal keeps one expiry Schedule, which this short-lived install must not take over.
      config: { HAVEN_STORAGE_PRIVATE_NETWORKS: '127.0.0.0/8', HAVEN_EXPIRY_INTERVAL_MINUTES: '0' },
      api: { port: apiPort, agentGateway: { address: gatewayAddress } },
      worker: { healthPort: workerHealthPort },
      // Pods share this machine's network here; a real cluster would keep the default port.
      gateway: { port: gatewayPort, allowPlaintext: true },
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await containerLogs(namespace)}`);
    });
    // `--wait` returned: the emulator ran the chart's readiness probes (the API's and the worker's /healthz, the gateway's port).
    client = httpClient(apiUrl, bootstrapKey);
  }, 600_000);

  it('comes up: every Deployment available, the database migrated by the init containers, the API answering with the bootstrap key', async () => {
    const deployments = await cluster.config.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace });
    expect(deployments.items.map((d: V1Deployment) => [d.metadata?.labels?.['app.kubernetes.io/component'], d.status?.availableReplicas]).sort()).toEqual([
      ['api', 1],
      ['gateway', 1],
      ['worker', 1],
    ]);
    expect(expectStatus<{ items: unknown[] }>(await client.get('/clusters'), 200).items).toEqual([]);
  });

  it("runs every container from the image's root filesystem, as the chart's non-root user", async () => {
    const fromImage = '/usr/local/bin/node 1000 true';
    expect(await selfReports(namespace)).toEqual({ api: fromImage, gateway: fromImage, worker: fromImage });
  });

  describe('and the agent chart, with a registration from the installed API', () => {
    let agentNamespace: string;

    beforeAll(async () => {
      const registered = await createCluster(client, { kubeletPodsDir: cluster.node.podsDir() });
      clusterId = registered.id;
      agentNamespace = await cluster.namespace('agent');
      await install(uniqueName('agent'), agentNamespace, AGENT_CHART, {
        clusterId,
        token: registered.agentToken,
        gateway: { address: gatewayAddress },
        image: { repository: IMAGE_REPOSITORY, tag: IMAGE_TAG },
        kubeletPodsDir: cluster.node.podsDir(),
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await containerLogs(agentNamespace)}`);
      });
    }, 600_000);

    it('turns the cluster ACTIVE: the installed agent polls through the installed gateway', async () => {
      await untilClusterActive(client, clusterId).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await containerLogs(agentNamespace)}\n${await containerLogs(namespace)}`);
      });
    }, 200_000);

    it("runs the agent from the image's root filesystem too", async () => {
      expect(Object.values(await selfReports(agentNamespace))).toEqual(['/usr/local/bin/node 1000 true']);
    });

    describe('a backup of the sample application, then a restore of it into a new namespace', () => {
      let backup: JobView;
      let restore: JobView;

      beforeAll(async () => {
        const server = s3Server('versitygw');
        const target = await createS3Target(client, {
          endpoint: server.endpoint,
          region: server.region,
          bucket: server.bucket,
          pathStyle: true,
          prefix: `tests/${uniqueName('helm')}`,
          credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
        });
        const definition = await createBackupDefinition(client, clusterId, {
          selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
          persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
          advanced: { destinationStorageTargetId: target.id },
        });
        backup = await finished(await runNow(client, definition.id));
        const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await client.get('/recovery-points'), 200);
        const restoreId = expectStatus<{ id: string }>(
          await client.post('/restores', {
            name: `restore ${app.namespace}`,
            recoveryPointId: points.items.find((point) => point.jobId === backup.id)?.id,
            targetClusterId: clusterId,
            transforms: { namespaceMapping: { [app.namespace]: restoredNamespace } },
          }),
          201,
        ).id;
        restore = await finished(expectStatus<JobView>(await client.post(`/restores/${restoreId}/actions/run`), 202));
      }, 600_000);

      it('backs the volume up through a mover pod the installed agent started', () => {
        expect(backup.status, `${backup.message} ${JSON.stringify(backup.errors)}`).toBe('COMPLETED');
        expect(backup.message).toMatch(/1 of 1 PVs copied/);
      });

      it('restores the volume with the same bytes', async () => {
        expect(restore.status, `${restore.message} ${JSON.stringify(restore.errors)}`).toBe('COMPLETED');
        expect(restore.message).toMatch(/1 of 1 PVs restored$/);
        const restored = await boundVolume(cluster, restoredNamespace, app.dataClaim);
        expect(restored.digest).toBe(await volumeDigest(app.dataPath));
      });
    });
  });

  it('uninstalls both releases with helm, the agent\'s cluster-scoped roles and bindings included', async () => {
    const rbac = cluster.config.makeApiClient(RbacAuthorizationV1Api);
    const agentRelease = releases.find((r) => r.name.startsWith('agent-'))!;
    const agentRbac = async () => {
      const selector = `app.kubernetes.io/instance=${agentRelease.name}`;
      const [roles, bindings] = [await rbac.listClusterRole({ labelSelector: selector }), await rbac.listClusterRoleBinding({ labelSelector: selector })];
      return [...roles.items, ...bindings.items].map((o) => `${o.kind ?? ''} ${o.metadata?.name}`);
    };
    expect(await agentRbac()).toHaveLength(4);
    for (const release of [...releases].reverse()) await uninstall(release);
    expect(await agentRbac()).toEqual([]);
    const apps = cluster.config.makeApiClient(AppsV1Api);
    expect((await apps.listNamespacedDeployment({ namespace: agentRelease.namespace })).items).toEqual([]);
    expect((await cluster.api.core.listNamespacedSecret({ namespace: agentRelease.namespace })).items.map((s) => s.metadata?.name)).not.toContainEqual(expect.stringMatching(/^agent-/));
  });
});
