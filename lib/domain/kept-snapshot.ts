import { Type, type Static } from '@sinclair/typebox';

/**
 * A CSI snapshot a recovery point keeps in its cluster, named as whoever deletes it by hand needs: the
 * VolumeSnapshot, its content, and the storage system's own id (the cloud snapshot) with its driver.
 * Workflows import this file's type only, so TypeBox stays out of their bundle.
 */
export const KeptSnapshot = Type.Object({
  namespace: Type.String(),
  snapshotName: Type.String({ description: 'The VolumeSnapshot, in the claim\'s namespace.' }),
  contentName: Type.Optional(Type.String({ description: 'Its VolumeSnapshotContent (cluster-scoped), retained by Haven.' })),
  snapshotHandle: Type.Optional(Type.String({ description: 'The storage system\'s id of the snapshot: what to delete in the cloud if the content is gone.' })),
  driver: Type.Optional(Type.String({ description: 'The CSI driver that made it.' })),
});
export type KeptSnapshot = Static<typeof KeptSnapshot>;
