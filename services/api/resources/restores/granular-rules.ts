import { fieldProblem } from '../../../../lib/common/problem.js';
import type { RestoreSelection } from '../../../../lib/domain/definitions/options.js';
import { isProtectedNamespace, PROTECTED_NAMESPACES_RULE } from '../../../../lib/domain/protected-namespaces.js';
import { volumePathProblem } from '../../../../lib/domain/volume-paths.js';
import type { recoveryPoints } from '../../../../lib/db/schema/index.js';

type PointRow = typeof recoveryPoints.$inferSelect;

/**
 * Rules of granular restores the schema cannot say: paths inside a volume (400, like the browse API's),
 * one kind of granularity at a time, and a PV restored alone must be one the point copied to storage (a
 * CSI snapshot restores only whole, as the claim it was).
 */
export function checkGranularSelection(selection: RestoreSelection, point: PointRow, at: string): void {
  for (const [v, volume] of selection.volumes.entries()) {
    for (const [p, path] of volume.paths.entries()) {
      const reason = volumePathProblem(path);
      if (reason) throw fieldProblem(`${at}.volumes.${v}.paths.${p}`, reason, 'validation-failed');
    }
  }
  if (selection.volumes.length > 0 && selection.resources.length > 0) {
    throw fieldProblem(`${at}.volumes`, 'a volume restored alone into a new claim cannot be combined with resources: make two restores');
  }
  for (const [r, resource] of selection.resources.entries()) {
    if (resource.namespace && !point.contents.namespaces.includes(resource.namespace)) {
      throw fieldProblem(`${at}.resources.${r}.namespace`, `the recovery point holds no namespace "${resource.namespace}"`);
    }
  }
  for (const [v, volume] of selection.volumes.entries()) {
    const held = point.contents.persistentVolumes.find((p) => p.namespace === volume.namespace && p.claim === volume.claim) as { copySnapshotId?: string } | undefined;
    if (!held) throw fieldProblem(`${at}.volumes.${v}.claim`, `the recovery point holds no PV of claim ${volume.namespace}/${volume.claim}`);
    if (!held.copySnapshotId) throw fieldProblem(`${at}.volumes.${v}.claim`, `the PV of claim ${volume.namespace}/${volume.claim} is kept as a CSI snapshot, not copied to storage: it restores only whole, with its namespace`);
    const target = volume.targetNamespace ?? volume.namespace;
    if (isProtectedNamespace(target)) throw fieldProblem(`${at}.volumes.${v}.targetNamespace`, `"${target}": ${PROTECTED_NAMESPACES_RULE}`);
  }
}
