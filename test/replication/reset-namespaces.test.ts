import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { NAMESPACE_STILL_TERMINATING, PROTECTED_NAMESPACE, REPLICA_LABELS, resetNamespaces, UNMANAGED_NAMESPACE } from '../../activities/cluster/replication/reset-namespaces.js';
import { HAVEN_MANAGER } from '../../proto/mover/names.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { connect, loadKubeConfig, type KubeApi } from '../emulator/support/kube-api.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const HOLD = 'haven.test/hold';
let api: KubeApi;
let kube: KubeRestClient;
const made: string[] = [];

/** A namespace with one config map in it; `managed` labels it as a replica Haven made (an earlier run's). */
async function namespaceWith(configMap: { name: string; finalizers?: string[] }, options: { managed?: boolean } = { managed: true }): Promise<string> {
  const name = uniqueName('reset');
  made.push(name);
  const labels: Record<string, string> = options.managed ? { [REPLICA_LABELS.managedBy]: HAVEN_MANAGER, [REPLICA_LABELS.job]: 'an-earlier-run' } : {};
  await api.core.createNamespace({ body: { metadata: { name, labels } } });
  await api.core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: configMap.name, finalizers: configMap.finalizers ?? [] } } });
  return name;
}

beforeAll(() => {
  const config = loadKubeConfig(stackEnv('KUBECONFIG'));
  api = connect(config);
  kube = new KubeRestClient(config);
});

afterAll(async () => {
  for (const namespace of made) {
    const held = await api.core.readNamespacedConfigMap({ namespace, name: 'held' }).catch(() => undefined);
    if (held) await kube.mergePatch(`/api/v1/namespaces/${namespace}/configmaps/held`, { metadata: { finalizers: null } });
    await api.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
});

describe('replacing the destination namespaces', () => {
  it('empties each namespace and marks it as this job\'s replica; a retry keeps what the job already made', async () => {
    const namespace = await namespaceWith({ name: 'old' });
    expect(await resetNamespaces(kube, { jobId: 'job-1', namespaces: [namespace], timeoutMs: 120_000 })).toEqual({ deleted: [namespace] });
    const created = await api.core.readNamespace({ name: namespace });
    expect(created.metadata?.labels).toMatchObject({ [REPLICA_LABELS.job]: 'job-1', [REPLICA_LABELS.managedBy]: 'haven' });
    expect((await api.core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name)).not.toContain('old');

    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'restored' } } });
    expect(await resetNamespaces(kube, { jobId: 'job-1', namespaces: [namespace], timeoutMs: 120_000 })).toEqual({ deleted: [] });
    await api.core.readNamespacedConfigMap({ namespace, name: 'restored' });
  });

  it('refuses, before deleting anything, a namespace Haven did not create: named, with the way out', async () => {
    const replica = await namespaceWith({ name: 'replica' });
    const handMade = await namespaceWith({ name: 'precious' }, { managed: false });
    const reset = resetNamespaces(kube, { jobId: 'job-u', namespaces: [replica, handMade], timeoutMs: 60_000 });
    await expect(reset).rejects.toMatchObject({ type: UNMANAGED_NAMESPACE, nonRetryable: true });
    await expect(reset).rejects.toThrow(
      `refusing to delete ${handMade}: not created by Haven (no app.kubernetes.io/managed-by=haven label), so deleting could wipe an application that lives there; ` +
        'nothing was deleted. Remove it from destination.namespaces, delete it yourself, or have an admin set destination.replaceUnmanagedNamespaces to true on the replication definition',
    );
    // Neither was touched: not the hand-made one, nor the replica listed before it.
    expect((await api.core.readNamespacedConfigMap({ namespace: handMade, name: 'precious' })).metadata?.name).toBe('precious');
    expect((await api.core.readNamespacedConfigMap({ namespace: replica, name: 'replica' })).metadata?.name).toBe('replica');
    expect((await api.core.readNamespace({ name: replica })).status?.phase).toBe('Active');
  });

  it('replaces a namespace Haven did not create when the definition says so', async () => {
    const handMade = await namespaceWith({ name: 'precious' }, { managed: false });
    expect(await resetNamespaces(kube, { jobId: 'job-o', namespaces: [handMade], timeoutMs: 120_000, replaceUnmanagedNamespaces: true })).toEqual({ deleted: [handMade] });
    expect((await api.core.readNamespace({ name: handMade })).metadata?.labels).toMatchObject({ [REPLICA_LABELS.managedBy]: HAVEN_MANAGER, [REPLICA_LABELS.job]: 'job-o' });
    expect((await api.core.listNamespacedConfigMap({ namespace: handMade })).items.map((c) => c.metadata?.name)).not.toContain('precious');
  });

  it('creates a destination namespace that does not exist yet', async () => {
    const namespace = uniqueName('reset-new');
    made.push(namespace);
    expect(await resetNamespaces(kube, { jobId: 'job-2', namespaces: [namespace], timeoutMs: 60_000 })).toEqual({ deleted: [] });
    expect((await api.core.readNamespace({ name: namespace })).metadata?.labels?.[REPLICA_LABELS.job]).toBe('job-2');
  });

  it('fails naming the namespace when it does not finish terminating in time', async () => {
    const namespace = await namespaceWith({ name: 'held', finalizers: [HOLD] });
    // Wait until the namespace controller reports what holds the namespace, so the failure can say it.
    const failure = await eventually(
      () => resetNamespaces(kube, { jobId: 'job-3', namespaces: [namespace], timeoutMs: 3_000 }).then(
        () => undefined,
        (error: unknown) => (String(error).includes(HOLD) ? error : undefined),
      ),
      'the namespace conditions to name the finalizer',
      60_000,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: NAMESPACE_STILL_TERMINATING, nonRetryable: true });
    expect((failure as Error).message).toMatch(new RegExp(`^namespaces still terminating after 3 s: ${namespace}: .*${HOLD}`));
  });

  it('refuses before deleting anything when a protected namespace is among them', async () => {
    const namespace = await namespaceWith({ name: 'kept' });
    const reset = resetNamespaces(kube, { jobId: 'job-p', namespaces: [namespace, 'kube-public'], timeoutMs: 10_000 });
    await expect(reset).rejects.toMatchObject({ type: PROTECTED_NAMESPACE, nonRetryable: true });
    expect((await api.core.readNamespacedConfigMap({ namespace, name: 'kept' })).metadata?.name).toBe('kept');
    expect((await api.core.readNamespace({ name: 'kube-public' })).status?.phase).toBe('Active');
  });
});
