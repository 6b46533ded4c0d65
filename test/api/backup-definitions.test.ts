import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createPolicy, createS3Target, expectStatus } from './helpers/fixtures.js';
import { authorized, putCurrent, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let admin: Client;
let operator: Client;
let clusterId: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  admin = authorized(api.app, org.keys.admin);
  operator = authorized(api.app, org.keys.operator);
  clusterId = (await createCluster(operator)).id;
});
afterAll(() => api?.close());

let n = 0;
const post = (body: Record<string, unknown>) => operator.post('/backup-definitions', { name: `b-${++n}`, clusterId, ...body });

describe('backup definition defaults', () => {
  it('fills every documented default', async () => {
    const created = expectStatus(await post({}), 201);
    expect(created).toMatchObject({
      policyId: null,
      paused: false,
      tags: {},
      selection: { scope: 'FULL_CLUSTER', namespaces: [], excludedNamespaces: [], resourceTypes: [], labels: '' },
      persistentVolumes: {
        include: true,
        mode: 'BACKUP_TO_OBJECT_STORAGE',
        snapshotBeforeBackup: true,
        backupUnsnapshottedPvs: true,
        methodByStorageClass: {},
        preserveSnapshots: false,
        snapshotRetentionDays: null,
      },
      advanced: {
        destinationStorageTargetId: null,
        concurrentPvs: 2,
        totalConcurrentFiles: 24,
        maxSpeedPerStreamMBps: null,
        dataMoverPodTimeoutMinutes: 20,
        excludeUnattachedPvcs: false,
        snapshotMountStorageClasses: {},
        csiSnapshotTimeoutMinutes: 10,
        dataMoverMemoryLimitMiB: 1024,
      },
      hooks: { preBackup: [], postBackup: [] },
    });
  });
});

describe('backup definition ranges', () => {
  it.each([
    ['concurrentPvs', 0, 400],
    ['concurrentPvs', 1, 201],
    ['concurrentPvs', 16, 201],
    ['concurrentPvs', 17, 400],
    ['totalConcurrentFiles', 0, 400],
    ['totalConcurrentFiles', 256, 201],
    ['totalConcurrentFiles', 257, 400],
    ['maxSpeedPerStreamMBps', null, 201],
    ['maxSpeedPerStreamMBps', 0, 400],
    ['maxSpeedPerStreamMBps', 1, 201],
    ['maxSpeedPerStreamMBps', 100000, 201],
    ['maxSpeedPerStreamMBps', 100001, 400],
    ['maxSpeedPerStreamMBps', 2.5, 400],
    ['dataMoverPodTimeoutMinutes', 0, 400],
    ['dataMoverPodTimeoutMinutes', 1, 201],
    ['dataMoverPodTimeoutMinutes', 1440, 201],
    ['dataMoverPodTimeoutMinutes', 1441, 400],
    ['csiSnapshotTimeoutMinutes', 0, 400],
    ['csiSnapshotTimeoutMinutes', 1, 201],
    ['csiSnapshotTimeoutMinutes', 1440, 201],
    ['csiSnapshotTimeoutMinutes', 1441, 400],
    ['dataMoverMemoryLimitMiB', 511, 400],
    ['dataMoverMemoryLimitMiB', 512, 201],
    ['dataMoverMemoryLimitMiB', 8192, 201],
    ['dataMoverMemoryLimitMiB', 8193, 400],
  ])('advanced.%s = %j answers %i', async (field, value, status) => {
    const body = expectStatus(await post({ advanced: { [field]: value } }), status);
    if (status === 400) expect(body.errors).toEqual([{ field: `body.advanced.${field}`, reason: expect.any(String) }]);
    else expect((body.advanced as Record<string, unknown>)[field]).toBe(value);
  });

  it.each([
    [0, 400],
    [1, 201],
    [3650, 201],
    [3651, 400],
  ])('persistentVolumes.snapshotRetentionDays %i answers %i', async (days, status) => {
    expectStatus(await post({ persistentVolumes: { preserveSnapshots: true, snapshotRetentionDays: days } }), status);
  });

  it('needs totalConcurrentFiles of at least concurrentPvs', async () => {
    const response = expectStatus(await post({ advanced: { concurrentPvs: 8, totalConcurrentFiles: 7 } }), 422);
    expect(response.errors).toEqual([{ field: 'body.advanced.totalConcurrentFiles', reason: expect.stringContaining('at least concurrentPvs (8)') }]);
    expectStatus(await post({ advanced: { concurrentPvs: 8, totalConcurrentFiles: 8 } }), 201);
  });
});

describe('backup definition selection rules', () => {
  it('parses the labels syntax and rejects a malformed string with its column', async () => {
    expect(expectStatus(await post({ selection: { labels: 'a:b,c x:y' } }), 201).selection).toMatchObject({ labels: 'a:b,c x:y' });
    const response = expectStatus(await post({ selection: { labels: 'a:b,c x:' } }), 422);
    expect(response.errors).toEqual([{ field: 'body.selection.labels', reason: 'column 9: empty value for key "x"' }]);
  });

  it.each([
    [{ scope: 'SELECTED_NAMESPACES' }, 'body.selection.namespaces', 422],
    [{ scope: 'SELECTED_NAMESPACES', namespaces: ['shop'] }, null, 201],
    [{ scope: 'FULL_CLUSTER', namespaces: ['shop'] }, 'body.selection.namespaces', 422],
    [{ scope: 'FULL_CLUSTER_EXCEPT' }, 'body.selection.excludedNamespaces', 422],
    [{ scope: 'FULL_CLUSTER_EXCEPT', excludedNamespaces: ['kube-system'] }, null, 201],
    [{ scope: 'SELECTED_NAMESPACES', namespaces: ['shop'], excludedNamespaces: ['x'] }, 'body.selection.excludedNamespaces', 422],
    [{ scope: 'EVERYTHING' }, 'body.selection.scope', 400],
    [{ scope: 'SELECTED_NAMESPACES', namespaces: ['Shop'] }, 'body.selection.namespaces.0', 400],
    [{ scope: 'SELECTED_NAMESPACES', namespaces: ['shop', 'shop'] }, 'body.selection.namespaces', 400],
    [{ resourceTypes: ['deployments.apps', 'configmaps'] }, null, 201],
    [{ resourceTypes: ['Deployments'] }, 'body.selection.resourceTypes.0', 400],
  ])('selection %j', async (selection, field, status) => {
    const body = expectStatus<{ errors?: { field: string }[] }>(await post({ selection }), status);
    if (field) expect(body.errors?.map((e) => e.field)).toEqual([field]);
  });

  it.each([
    [{ mode: 'SNAPSHOT_ONLY', methodByStorageClass: { longhorn: 'PVC' } }, 'body.persistentVolumes.methodByStorageClass', 422],
    [{ methodByStorageClass: { longhorn: 'PVC', 'local-path': 'HOST', nfs: 'SKIP', 'csi-hostpath-sc': 'SNAPSHOT' } }, null, 201],
    [{ methodByStorageClass: { longhorn: 'LIVE' } }, 'body.persistentVolumes.methodByStorageClass.longhorn', 400],
    [{ snapshotBeforeBackup: false, backupUnsnapshottedPvs: false }, 'body.persistentVolumes.backupUnsnapshottedPvs', 422],
    [{ snapshotRetentionDays: 3 }, 'body.persistentVolumes.snapshotRetentionDays', 422],
    [{ mode: 'SNAPSHOT_ONLY', preserveSnapshots: true, snapshotRetentionDays: 3 }, 'body.persistentVolumes.snapshotRetentionDays', 422],
    [{ include: false }, null, 201],
  ])('persistentVolumes %j', async (persistentVolumes, field, status) => {
    const body = expectStatus<{ errors?: { field: string }[] }>(await post({ persistentVolumes }), status);
    if (field) expect(body.errors?.map((e) => e.field)).toEqual([field]);
  });
});

describe('backup definition names and versions', () => {
  it('keeps names unique in the organization', async () => {
    await createBackupDefinition(operator, clusterId, { name: 'nightly' });
    expect(expectStatus(await post({ name: 'nightly' }), 409)).toMatchObject({ code: 'name-taken', errors: [{ field: 'body.name' }] });
  });

  it('refuses a stale If-Match and applies a fresh one', async () => {
    const created = await createBackupDefinition(operator, clusterId);
    const first = await putCurrent(operator, `/backup-definitions/${created.id}`, (current) => ({
      name: current.name,
      clusterId,
      advanced: { concurrentPvs: 4 },
    }));
    expect(expectStatus(first, 200)).toMatchObject({ version: 2, advanced: { concurrentPvs: 4 } });
    expectStatus(await operator.put(`/backup-definitions/${created.id}`, { name: created.name, clusterId }, { 'if-match': '"1"' }), 412);
  });

  it('does not answer for a definition of another kind under this path', async () => {
    const other = await createCluster(operator);
    const replication = expectStatus<{ id: string }>(
      await operator.post('/replication-definitions', { name: 'r', sourceClusterId: clusterId, destination: { clusterId: other.id, namespaces: ['shop'] }, runNow: false }),
      201,
    );
    expectStatus(await operator.get(`/backup-definitions/${replication.id}`), 404);
    expectStatus(await operator.delete(`/backup-definitions/${replication.id}`), 404);
  });

  it('lists with filters by cluster and policy', async () => {
    const otherCluster = await createCluster(operator);
    const policy = await createPolicy(operator);
    const mine = await createBackupDefinition(operator, otherCluster.id, { policyId: policy.id });
    const byCluster = expectStatus<{ items: { id: string }[] }>(await operator.get(`/backup-definitions?clusterId=${otherCluster.id}`), 200);
    expect(byCluster.items.map((d) => d.id)).toEqual([mine.id]);
    const byPolicy = expectStatus<{ items: { id: string }[] }>(await operator.get(`/backup-definitions?policyId=${policy.id}`), 200);
    expect(byPolicy.items.map((d) => d.id)).toEqual([mine.id]);
  });
});

describe('destination precedence: definition > cluster > organization', () => {
  it('resolves from the most specific setting present', async () => {
    const [orgTarget, clusterTarget, jobTarget] = [await createS3Target(admin), await createS3Target(admin), await createS3Target(admin)];
    const cluster = await createCluster(operator);
    const definition = await createBackupDefinition(operator, cluster.id);
    const destination = async () => expectStatus(await operator.get(`/backup-definitions/${definition.id}/destination`), 200);

    expect(await destination()).toEqual({ storageTargetId: null, inheritedFrom: null });
    expectStatus(await putCurrent(admin, '/organization', (o) => ({ name: o.name, preferences: { defaultStorageTargetId: orgTarget.id } })), 200);
    expect(await destination()).toEqual({ storageTargetId: orgTarget.id, inheritedFrom: 'organization' });
    expectStatus(await putCurrent(operator, `/clusters/${cluster.id}`, (c) => ({ name: c.name, defaultStorageTargetId: clusterTarget.id })), 200);
    expect(await destination()).toEqual({ storageTargetId: clusterTarget.id, inheritedFrom: 'cluster' });
    expectStatus(
      await putCurrent(operator, `/backup-definitions/${definition.id}`, (d) => ({
        name: d.name,
        clusterId: cluster.id,
        advanced: { destinationStorageTargetId: jobTarget.id },
      })),
      200,
    );
    expect(await destination()).toEqual({ storageTargetId: jobTarget.id, inheritedFrom: 'definition' });
    expectStatus(await putCurrent(admin, '/organization', (o) => ({ name: o.name, preferences: { defaultStorageTargetId: null } })), 200);
  });

  it('refuses a SafeLock policy whose resolved destination has no object lock', async () => {
    const plain = await createS3Target(admin);
    const locking = await createS3Target(admin, { objectLockCapable: true });
    const safeLocked = await createPolicy(operator, { schedules: [{ cron: '0 1 * * *', retentionDays: 30, safeLock: true }] });
    const cluster = await createCluster(operator, { defaultStorageTargetId: plain.id });
    const refused = expectStatus(await post({ clusterId: cluster.id, policyId: safeLocked.id }), 422);
    expect(refused.errors).toEqual([
      { field: 'body.advanced.destinationStorageTargetId', reason: expect.stringContaining('(from the cluster setting) is not') },
    ]);
    expectStatus(await post({ clusterId: cluster.id, policyId: safeLocked.id, advanced: { destinationStorageTargetId: locking.id } }), 201);
  });

  describe('SafeLock re-checked when a change moves it', () => {
    it('refuses a policy gaining SafeLock while a definition using it writes to a bucket without Object Lock, changing nothing', async () => {
      const plain = await createS3Target(admin);
      const policy = await createPolicy(operator, { schedules: [{ cron: '0 1 * * *', retentionDays: 30 }] });
      const definition = expectStatus<{ name: string }>(await post({ policyId: policy.id, advanced: { destinationStorageTargetId: plain.id } }), 201);
      const refused = await putCurrent(operator, `/policies/${policy.id}`, (current) => ({ name: current.name, schedules: [{ cron: '0 1 * * *', retentionDays: 30, safeLock: true }] }));
      expect(expectStatus<{ errors: unknown[] }>(refused, 422).errors).toEqual([{ field: 'body.schedules', reason: expect.stringContaining(`backup definition "${definition.name}" runs SafeLocked`) }]);
      expect(expectStatus<{ version: number; schedules: { safeLock: boolean }[] }>(await operator.get(`/policies/${policy.id}`), 200)).toMatchObject({ version: 1, schedules: [{ safeLock: false }] });
    });

    it('refuses moving a cluster\'s or the organization\'s default destination to a bucket without Object Lock under a SafeLock definition that inherits it', async () => {
      const plain = await createS3Target(admin);
      const locking = await createS3Target(admin, { objectLockCapable: true });
      const cluster = await createCluster(operator, { defaultStorageTargetId: locking.id });
      const safeLocked = await createPolicy(operator, { schedules: [{ cron: '0 1 * * *', retentionDays: 30, safeLock: true }] });
      expectStatus(await post({ clusterId: cluster.id, policyId: safeLocked.id }), 201);

      const movedCluster = await putCurrent(operator, `/clusters/${cluster.id}`, (current) => ({ name: current.name, defaultStorageTargetId: plain.id }));
      expect(expectStatus<{ errors: { field: string }[] }>(movedCluster, 422).errors.map((e) => e.field)).toEqual(['body.defaultStorageTargetId']);
      expect(expectStatus(await operator.get(`/clusters/${cluster.id}`), 200)).toMatchObject({ defaultStorageTargetId: locking.id });

      // Inherited from the organization once the cluster has no default of its own.
      expectStatus(await putCurrent(admin, '/organization', (o) => ({ name: o.name, preferences: { defaultStorageTargetId: locking.id } })), 200);
      expectStatus(await putCurrent(operator, `/clusters/${cluster.id}`, (current) => ({ name: current.name, defaultStorageTargetId: null })), 200);
      const movedOrganization = await putCurrent(admin, '/organization', (o) => ({ name: o.name, preferences: { defaultStorageTargetId: plain.id } }));
      expect(expectStatus<{ errors: { field: string }[] }>(movedOrganization, 422).errors.map((e) => e.field)).toEqual(['body.preferences.defaultStorageTargetId']);
      expectStatus(await putCurrent(admin, '/organization', (o) => ({ name: o.name, preferences: { defaultStorageTargetId: null } })), 200);
    });
  });
});
