import { realpath, stat } from 'node:fs/promises';

export class HostVolumeNotFoundError extends Error {
  override readonly name = 'HostVolumeNotFoundError';
  readonly code = 'HOST_VOLUME_NOT_FOUND';
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * The PV's data as the pod mounted it: the agent mounts the volume's own kubelet directory (for CSI its
 * `mount/`), so the mover needs no search and sees no other volume. Resolved to the real directory: the
 * walk must start at a directory, not at a link to one.
 */
export async function hostVolumePath(volumeDir: string, volumeName: string): Promise<string> {
  if (await isDirectory(volumeDir)) return realpath(volumeDir);
  throw new HostVolumeNotFoundError(`volume ${volumeName} is not at ${volumeDir}: the node has no directory for it (is a pod on this node still mounting it?)`);
}
