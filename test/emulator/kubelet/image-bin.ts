import { chmod, copyFile, link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes the emulator's files reachable by containers that do not run as root, as they would be inside
 * an image and through mounts: the data directory becomes searchable (not listable) by every user, since
 * without mount namespaces a container reaches its volumes through it; this machine's `node` (possibly
 * under a /root only root may search) gets a copy in `<dataDir>/image/bin`, the image's /usr/local/bin.
 */
export async function prepareImageBin(dataDir: string): Promise<string> {
  await chmod(dataDir, 0o711);
  const binDir = join(dataDir, 'image', 'bin');
  await mkdir(binDir, { recursive: true, mode: 0o755 });
  const node = join(binDir, 'node');
  await rm(node, { force: true });
  // A hard link is free on the same filesystem; a copy otherwise.
  await link(process.execPath, node).catch(() => copyFile(process.execPath, node));
  await chmod(node, 0o755);
  return binDir;
}
