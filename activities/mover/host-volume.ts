import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class HostVolumeNotFoundError extends Error {
  override readonly name = 'HostVolumeNotFoundError';
  readonly code = 'HOST_VOLUME_NOT_FOUND';
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Finds a PV in a pod's kubelet volume directory: `<volumes>/<plugin>/<volume>`, whose data is in
 * `mount/` for CSI volumes and in the directory itself for the in-tree plugins (nfs, local). Resolved to
 * the real directory: the walk must start at a directory, not at a link to one.
 */
export async function hostVolumePath(podVolumesDir: string, volumeName: string): Promise<string> {
  const plugins = await readdir(podVolumesDir).catch(() => [] as string[]);
  for (const plugin of plugins.sort()) {
    const candidate = join(podVolumesDir, plugin, volumeName);
    if (await isDirectory(join(candidate, 'mount'))) return realpath(join(candidate, 'mount'));
    if (await isDirectory(candidate)) return realpath(candidate);
  }
  throw new HostVolumeNotFoundError(`volume ${volumeName} is not in the pod's volume directory ${podVolumesDir} (plugins: ${plugins.join(', ') || 'none'})`);
}
