import { eventually } from '../../emulator/helpers/cluster.js';
import type { KubeApi } from '../../emulator/support/kube-api.js';

/**
 * Deletes namespaces a restore created and the PVs left bound to them: claims of a Retain class keep
 * their PVs, and an emulator only stops once its PVs are gone. The sample app's own cleanup runs once,
 * before the restores, so it cannot know about them.
 */
export async function removeRestoredNamespaces(api: KubeApi, names: readonly string[]): Promise<void> {
  for (const name of names) await api.core.deleteNamespace({ name }).catch(() => undefined);
  for (const name of names) {
    await eventually(() => api.core.readNamespace({ name }).then(() => false, () => true), `namespace ${name} to be deleted`, 120_000);
  }
  const volumes = await api.core.listPersistentVolume();
  for (const pv of volumes.items.filter((v) => names.includes(v.spec?.claimRef?.namespace ?? ''))) {
    await api.core.deletePersistentVolume({ name: pv.metadata?.name ?? '' }).catch(() => undefined);
  }
}
