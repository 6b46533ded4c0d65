import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';

/**
 * What the kubelet does to a volume for a pod with an fsGroup (SetVolumeOwnership), for volume types
 * that support it (CSI drivers with fsGroupPolicy File, local volumes, emptyDir): every file's group
 * becomes the fsGroup, files gain g+rw, directories g+rwx and setgid so new files inherit the group.
 * OnRootMismatch skips the walk when the volume's root already has the group.
 */
export async function applyFsGroup(pod: V1Pod, path: string): Promise<void> {
  const fsGroup = pod.spec?.securityContext?.fsGroup;
  if (fsGroup === undefined) return;
  const root = await lstat(path);
  if (!root.isDirectory()) return;
  if (pod.spec?.securityContext?.fsGroupChangePolicy === 'OnRootMismatch' && root.gid === fsGroup && (root.mode & 0o2070) === 0o2070) return;
  const visit = async (where: string): Promise<void> => {
    const stats = await lstat(where);
    await lchown(where, -1, fsGroup);
    if (stats.isSymbolicLink()) return;
    await chmod(where, (stats.mode & 0o7777) | (stats.isDirectory() ? 0o2070 : 0o060));
    if (stats.isDirectory()) for (const name of await readdir(where)) await visit(join(where, name));
  };
  await visit(path);
}
