import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { INVENTORY_LIMITS, type ClusterInventoryResult } from '../../proto/agent/index.js';
import type { ClusterInventory } from '../../services/api/resources/clusters/inventory-schema.js';
import { createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { authorized } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack, type RunningWorker } from '../backup/helpers/backup-stack.js';
import { untilClusterActive } from '../backup/helpers/runs.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { SNAPSHOT_CLASS, STORAGE_CLASS } from '../emulator/storage/storage-classes.js';
import { havenJson, runHaven } from '../cli/helpers/haven-cli.js';

type Problem = { code: string; detail: string };

let stack: BackupStack;
let cluster: EmulatedCluster;
let clusterId: string;
let namespace: string;
const clusterName = 'inventoried';

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  namespace = `${cluster.prefix}-shop`;
  await cluster.api.core.createNamespace({ body: { metadata: { name: namespace, labels: { team: 'payments', 'app.kubernetes.io/part-of': 'shop' } } } });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client, { name: clusterName })).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
});

afterAll(async () => {
  await stack?.close();
  await cluster?.api.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  await cluster?.stop();
});

describe('a cluster\'s inventory, read by its agent', () => {
  let shown: ClusterInventory;

  beforeAll(async () => {
    // Read-only: a viewer may list it.
    const viewerKey = expectStatus<{ key: string }>(await stack.client.post('/api-keys', { name: 'viewer', role: 'viewer' }), 201).key;
    shown = expectStatus<ClusterInventory>(await authorized(stack.api.app, viewerKey).get(`/clusters/${clusterId}/inventory`), 200);
  });

  it('lists the namespace the test created, with its labels, and marks kube-* protected', () => {
    expect(shown.clusterId).toBe(clusterId);
    expect(shown.namespaces.find((ns) => ns.name === namespace)).toEqual({
      name: namespace,
      phase: 'Active',
      labels: { team: 'payments', 'app.kubernetes.io/part-of': 'shop', 'kubernetes.io/metadata.name': namespace },
      protected: false,
    });
    expect(shown.namespaces.find((ns) => ns.name === 'kube-system')?.protected).toBe(true);
    const names = shown.namespaces.map((ns) => ns.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(shown.truncated).toEqual({ namespaces: false, labels: false, storageClasses: false, resourceTypes: false });
  });

  it('gives each storage class its CSI driver and the snapshot classes a backup could use', () => {
    const byName = new Map(shown.storageClasses.map((sc) => [sc.name, sc]));
    expect(byName.get(STORAGE_CLASS.csi)).toMatchObject({
      provisioner: 'hostpath.csi.k8s.io',
      isDefault: true,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
      csiDriver: true,
      snapshotClass: SNAPSHOT_CLASS.delete,
    });
    expect(byName.get(STORAGE_CLASS.csi)?.snapshotClasses).toEqual(
      expect.arrayContaining([
        { name: SNAPSHOT_CLASS.delete, deletionPolicy: 'Delete', isDefault: true },
        { name: SNAPSHOT_CLASS.retain, deletionPolicy: 'Retain', isDefault: false },
      ]),
    );
    expect(byName.get(STORAGE_CLASS.csiRetain)).toMatchObject({ isDefault: false, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false });
    // A CSI driver without a snapshot class: its claims cannot be snapshotted.
    expect(byName.get(STORAGE_CLASS.csiNoSnapshot)).toMatchObject({ provisioner: 'files.csi.haven.test', csiDriver: true, snapshotClasses: [] });
    expect(byName.get(STORAGE_CLASS.csiNoSnapshot)).not.toHaveProperty('snapshotClass');
    // Static local volumes: no provisioner, no CSI driver.
    expect(byName.get(STORAGE_CLASS.local)).toMatchObject({ provisioner: 'kubernetes.io/no-provisioner', csiDriver: false, snapshotClasses: [] });
  });

  it('lists resource types by the id a definition names them with, built-in and CRD-backed', () => {
    const configMaps = shown.resourceTypes.find((type) => type.id === 'configmaps');
    expect(configMaps).toMatchObject({ group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true });
    expect(configMaps?.verbs).toEqual(expect.arrayContaining(['get', 'list']));
    expect(shown.resourceTypes.find((type) => type.id === 'volumesnapshots.snapshot.storage.k8s.io')).toMatchObject({
      group: 'snapshot.storage.k8s.io',
      version: 'v1',
      kind: 'VolumeSnapshot',
      namespaced: true,
    });
    expect(shown.resourceTypes.find((type) => type.id === 'namespaces')).toMatchObject({ kind: 'Namespace', namespaced: false });
    // Subresources are views of their parent, not types a selection can name.
    expect(shown.resourceTypes.some((type) => type.resource.includes('/'))).toBe(false);
  });

  it('is not found with another organization\'s key', async () => {
    const { keys } = await stack.api.createOrganization('other-org');
    const refused = expectStatus<Problem>(await authorized(stack.api.app, keys.viewer).get(`/clusters/${clusterId}/inventory`), 404);
    expect(refused.code).toBe('not-found');
  });

  it('answers 409 agent-not-connected naming the cluster when no agent ever polled', async () => {
    const idle = await createCluster(stack.client, { name: 'idle-cluster' });
    const refused = expectStatus<Problem>(await stack.client.get(`/clusters/${idle.id}/inventory`), 409);
    expect(refused).toMatchObject({
      code: 'agent-not-connected',
      detail: `cluster "idle-cluster" (${idle.id}) is PENDING: no agent has connected yet; install it with the manifest from the registration`,
    });
  });
});

describe('haven cluster inventory', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { HAVEN_SERVER: await stack.api.app.listen({ host: '127.0.0.1', port: 0 }), HAVEN_API_KEY: stack.adminKey };
  });

  it('-o json prints the API\'s inventory of the cluster it names', async () => {
    const printed = await havenJson<ClusterInventory>(['cluster', 'inventory', clusterName], env);
    const { generatedAt: _at, ...fromApi } = expectStatus<ClusterInventory>(await stack.client.get(`/clusters/${clusterId}/inventory`), 200);
    expect({ ...printed, generatedAt: undefined }).toEqual({ ...fromApi, generatedAt: undefined });
  });

  it('prints the three lists as tables: the namespace, the storage classes with their snapshot class, the types', async () => {
    const run = await runHaven(['cluster', 'inventory', clusterName, '--timeout', '60'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^NAMESPACES\nNAME\s+PHASE\s+PROTECTED\s+LABELS\n/);
    expect(run.stdout).toMatch(new RegExp(`\\n${namespace}\\s+Active\\s+no\\s+.*team=payments`));
    expect(run.stdout).toMatch(new RegExp(`\\n${STORAGE_CLASS.csi}\\s+hostpath\\.csi\\.k8s\\.io\\s+yes\\s+yes\\s+${SNAPSHOT_CLASS.delete}\\s`));
    expect(run.stdout).toMatch(new RegExp(`\\n${STORAGE_CLASS.local}\\s+kubernetes\\.io/no-provisioner\\s+no\\s+no\\s+<none>\\s`));
    expect(run.stdout).toMatch(/\nvolumesnapshots\.snapshot\.storage\.k8s\.io\s+VolumeSnapshot\s+snapshot\.storage\.k8s\.io\/v1\s+yes\s/);
  });
});

describe('an inventory past the bounds, from an honest agent', () => {
  it('cuts a namespace\'s labels at the bound and says so, rather than have the answer refused', async () => {
    const crowded = `${cluster.prefix}-crowded`;
    const labels = Object.fromEntries(Array.from({ length: INVENTORY_LIMITS.labelsPerNamespace + 6 }, (_, i) => [`label-${String(i).padStart(3, '0')}`, 'x']));
    await cluster.api.core.createNamespace({ body: { metadata: { name: crowded, labels } } });
    try {
      const shown = expectStatus<ClusterInventory>(await stack.client.get(`/clusters/${clusterId}/inventory`), 200);
      const listed = shown.namespaces.find((ns) => ns.name === crowded)!;
      expect(Object.keys(listed.labels)).toHaveLength(INVENTORY_LIMITS.labelsPerNamespace);
      expect(listed.labels).toHaveProperty('label-000', 'x');
      expect(shown.truncated.labels).toBe(true);
    } finally {
      await cluster.api.core.deleteNamespace({ name: crowded });
    }
  });
});

/** What a tenant's own agent could answer: it controls the cluster and the agent completely. */
describe('an inventory answered by a hostile agent', () => {
  let hostileId: string;
  let agent: RunningWorker;
  let answer: unknown;

  const honest = (): ClusterInventoryResult => ({
    version: 1,
    namespaces: [{ name: 'kube-system', phase: 'Active', labels: {} }],
    storageClasses: [],
    resourceTypes: [],
    truncated: { namespaces: false, labels: false, storageClasses: false, resourceTypes: false },
  });

  beforeAll(async () => {
    hostileId = (await createCluster(stack.client)).id;
    const worker = await Worker.create({
      connection: await stack.agentConnection(hostileId),
      namespace: stack.api.config.workflowEngine!.namespace,
      taskQueue: clusterTaskQueue(hostileId),
      activities: { clusterInventory: async () => answer },
    });
    agent = stack.track(worker);
    await untilClusterActive(stack.client, hostileId);
  });

  const inventory = (query = '') => stack.client.get(`/clusters/${hostileId}/inventory${query}`);

  it('refuses more namespaces than the bound as 502 agent-answer-invalid, showing none of them', async () => {
    answer = { ...honest(), namespaces: Array.from({ length: INVENTORY_LIMITS.namespaces + 1 }, (_, i) => ({ name: `ns-${i}`, phase: 'Active', labels: {} })) };
    const refused = expectStatus<Problem>(await inventory(), 502);
    expect(refused.code).toBe('agent-answer-invalid');
    expect(refused.detail).toMatch(new RegExp(`^the agent of cluster ${hostileId} answered an inventory Haven does not accept \\(/namespaces .*${INVENTORY_LIMITS.namespaces}`));
    expect(refused.detail).not.toContain('ns-1');
  });

  it('refuses strings that are too long or carry terminal escapes, and quotes no control character back', async () => {
    answer = { ...honest(), resourceTypes: [{ group: '', version: 'v1', kind: 'x'.repeat(254), resource: 'things', namespaced: true, verbs: [] }] };
    expect(expectStatus<Problem>(await inventory(), 502).detail).toContain('/resourceTypes/0/kind');
    const escape = '\u001b]0;pwned\u0007';
    answer = { ...honest(), namespaces: [{ name: 'shop', phase: 'Active', labels: { [`team${escape}`]: 'a' } }] };
    const refused = expectStatus<Problem>(await inventory(), 502);
    expect(refused.detail).toContain('/namespaces/0/labels');
    expect([...refused.detail].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('refuses an answer that is not the contract at all', async () => {
    answer = 'all your base';
    expect(expectStatus<Problem>(await inventory(), 502).detail).toContain('not an object');
    answer = { ...honest(), version: 7 };
    expect(expectStatus<Problem>(await inventory(), 502).detail).toContain('version 7 is not supported');
  });

  it('takes protection from the control plane\'s rule and drops what the contract does not name', async () => {
    answer = { ...honest(), namespaces: [{ name: 'kube-system', phase: 'Active', labels: {}, protected: false }], extra: 'x'.repeat(1000) };
    const shown = expectStatus<ClusterInventory & { extra?: string }>(await inventory(), 200);
    expect(shown.namespaces).toEqual([{ name: 'kube-system', phase: 'Active', labels: {}, protected: true }]);
    expect(shown.extra).toBeUndefined();
  });

  it('answers 504 agent-timeout when the agent stops answering', async () => {
    await agent.stop();
    // Its last poll is recent, so the cluster still counts as connected: only the bound can answer.
    const timedOut = expectStatus<Problem>(await inventory('?timeoutSeconds=2'), 504);
    expect(timedOut).toMatchObject({
      code: 'agent-timeout',
      detail: `the agent of cluster ${hostileId} did not answer the inventory request within 2 s; check that it runs and can reach Temporal, then retry`,
    });
  });
});
