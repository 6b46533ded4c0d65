import { realpath } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { StorageAccessRefusedError } from './endpoints.js';

/**
 * Filesystem targets of an organization live in its own directory under the installation's root
 * (`<root>/<organization id>/…`): the control plane opens them for retention and GC, and a path of the
 * tenant's choosing would otherwise let it read or delete any directory the control plane can, another
 * organization's repository included.
 */
export function filesystemPathRefusal(root: string | undefined, orgId: string, path: string): string | undefined {
  if (!root) return 'this installation has no filesystem target root (HAVEN_FILESYSTEM_TARGETS_ROOT): use an S3 target';
  const home = `${root.replace(/\/+$/, '')}/${orgId}`;
  if (!isAbsolute(path) || normalize(path) !== path.replace(/\/+$/, '') || path.split('/').includes('..')) return 'must be an absolute path without "..", "." or doubled slashes';
  if (path.replace(/\/+$/, '') !== home && !path.startsWith(`${home}/`)) return `must be inside this organization's directory ${home}/`;
  return undefined;
}

/** At open time: no component may be a symbolic link leading elsewhere (what a path check alone cannot see). */
export async function checkFilesystemPathOnDisk(root: string | undefined, orgId: string, path: string): Promise<void> {
  const refusal = filesystemPathRefusal(root, orgId, path);
  if (refusal) throw new StorageAccessRefusedError(`filesystem target ${path}: ${refusal}`);
  const real = await realpath(path).catch(() => undefined);
  if (real !== undefined && real !== path.replace(/\/+$/, '')) throw new StorageAccessRefusedError(`filesystem target ${path}: passes through a symbolic link`);
}
