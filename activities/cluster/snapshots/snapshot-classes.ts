import type { VolumeSnapshotClassObject } from './snapshot-api.js';

export const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

/**
 * The VolumeSnapshotClass for a CSI driver: the one marked default for it, as the snapshot controller
 * would pick, else the first by name. undefined when the driver has none: it cannot be snapshotted.
 */
export function snapshotClassFor(classes: readonly VolumeSnapshotClassObject[], driver: string): string | undefined {
  const candidates = classes.filter((c) => c.driver === driver).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const preferred = candidates.find((c) => c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true') ?? candidates[0];
  return preferred?.metadata.name;
}
