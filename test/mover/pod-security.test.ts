import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moverPodActivities } from '../../activities/cluster/mover-pods/mover-pod-activities.js';
import type { MoverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { moverTaskQueue, type StartMoverPodRequest } from '../../proto/mover/index.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';

const settings: MoverPodSettings = { image: 'registry.example/haven/haven:test', gateway: { address: 'gateway.haven:7243', namespace: 'haven' } };

function startRequest(namespace: string, purpose: StartMoverPodRequest['purpose']): StartMoverPodRequest {
  const jobId = randomUUID();
  return { version: 2, jobId, namespace, claim: 'data', readOnly: purpose === 'backup', volumeMode: 'Filesystem', taskQueue: moverTaskQueue('c1', jobId, 0), token: 't', memoryLimitMiB: 512, purpose };
}

/** Mover pods against the real API server's Pod Security admission. */
describe('a namespace whose Pod Security level does not admit the mover pod', () => {
  let cluster: EmulatedCluster;
  let activities: ReturnType<typeof moverPodActivities>;

  beforeAll(async () => {
    cluster = await startEmulatedCluster();
    activities = moverPodActivities({ kubeConfig: cluster.config, mover: settings });
  });
  afterAll(async () => cluster?.stop());

  async function namespaceEnforcing(level: string): Promise<string> {
    const namespace = await cluster.namespace(level);
    await cluster.api.core.patchNamespace({ name: namespace, body: [{ op: 'add', path: '/metadata/labels/pod-security.kubernetes.io~1enforce', value: level }] });
    return namespace;
  }

  it('fails the start for good, naming the namespace, the level the mover needs and the label to set', async () => {
    const namespace = await namespaceEnforcing('baseline');
    const failure = await activities.startMoverPod(startRequest(namespace, 'backup')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'MOVER_POD_FORBIDDEN_BY_POD_SECURITY', nonRetryable: true });
    const message = (failure as Error).message;
    expect(message).toContain(`namespace ${namespace}`);
    expect(message).toContain('pod-security.kubernetes.io/enforce=privileged');
    expect(message).toMatch(/violates PodSecurity "baseline:latest".*DAC_READ_SEARCH/);
    const pods = await cluster.api.core.listNamespacedPod({ namespace });
    expect(pods.items).toEqual([]);
  });

  it('admits a restore mover at baseline, and names baseline where restricted refuses it', async () => {
    const baseline = await namespaceEnforcing('baseline');
    await expect(activities.startMoverPod(startRequest(baseline, 'restore'))).resolves.toMatchObject({ namespace: baseline });
    const restricted = await namespaceEnforcing('restricted');
    await expect(activities.startMoverPod(startRequest(restricted, 'restore'))).rejects.toThrow(/pod-security\.kubernetes\.io\/enforce=baseline/);
  });
});
