import type { EmulatedCluster } from '../../emulator/helpers/cluster.js';
import { volumeDigest } from '../../fixtures/volume-digest.js';

/** A restored claim, the PV it bound to, and the digest of the data the emulator holds for that PV. */
export async function boundVolume(cluster: EmulatedCluster, namespace: string, claim: string) {
  const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: claim });
  const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
  return { pvc, pv, digest: await volumeDigest(cluster.node.volumePath(pv)) };
}
