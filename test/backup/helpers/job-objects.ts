import { credentialsSecret, moverPod } from '../../../activities/cluster/mover-pods/mover-pod-spec.js';
import { snapshotClaim } from '../../../activities/cluster/mover-pods/temporary-claim.js';
import { moverTaskQueue } from '../../../proto/mover/index.js';
import type { EmulatedCluster } from '../../emulator/helpers/cluster.js';

/**
 * The mover objects a copy step of `jobId` leaves when its run stops mid-copy, built by the agent's own
 * builders: its credentials Secret, its mover pod (an image the emulator does not run, so no process
 * starts) and its temporary claim from the job's snapshot of `claim`. Answers them as `jobLeftovers` names them.
 */
export async function leaveMoverObjects(cluster: EmulatedCluster, clusterId: string, jobId: string, namespace: string, claim: string, snapshotName: string): Promise<string[]> {
  const request = {
    version: 2 as const,
    jobId,
    namespace,
    claim,
    readOnly: true,
    volumeMode: 'Filesystem' as const,
    taskQueue: moverTaskQueue(clusterId, jobId, 0),
    memoryLimitMiB: 256,
    purpose: 'backup' as const,
    token: 'not-a-token',
  };
  const secret = await cluster.api.core.createNamespacedSecret({ namespace, body: credentialsSecret(request) });
  const pod = await cluster.api.core.createNamespacedPod({ namespace, body: moverPod(request, { image: 'example.invalid/not-run', gateway: { address: '127.0.0.1:1', namespace: 'default' } }, {}) });
  const temporary = await cluster.api.core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: snapshotClaim({ version: 1, jobId, namespace, sourceClaim: claim, snapshotName, storageClass: 'csi-hostpath', sizeBytes: 64 * 1024 * 1024, volumeMode: 'Filesystem' }),
  });
  return [`pod ${namespace}/${pod.metadata?.name}`, `persistentvolumeclaim ${namespace}/${temporary.metadata?.name}`, `secret ${namespace}/${secret.metadata?.name}`];
}
