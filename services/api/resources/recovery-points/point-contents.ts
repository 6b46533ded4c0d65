import { stringify } from 'yaml';
import { EXPORT_INDEX_FILE, EXPORT_INDEX_VERSION, type ExportIndexEntry } from '../../../../proto/agent/export-index.js';
import { Problem } from '../../../../lib/common/problem.js';
import type { SnapshotBrowser } from '../../../../lib/datamover/browse/snapshot-browser.js';
import type { ManifestEntry } from '../../../../proto/repository/index.js';
import type { recoveryPoints } from '../../../../lib/db/schema/index.js';
import type { PointResource, VolumeFile } from './browse-schema.js';

/** The resource index of a large cluster is a few MB; beyond this it is not read whole into the API. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
/** One object's JSON; Kubernetes itself stores at most about 1.5 MB per object. */
const MAX_OBJECT_BYTES = 8 * 1024 * 1024;

type PointRow = typeof recoveryPoints.$inferSelect;
/** The contents column as backups record it: the snapshot ids the API never shows in a point. */
type RecordedContents = { resourcesSnapshotId?: string; persistentVolumes?: { namespace: string; claim: string; copySnapshotId?: string }[] };

/** Where the point's resources are in its repository; a point without any has nothing to browse. */
export function resourcesSnapshotOf(point: PointRow): string {
  const id = (point.contents as RecordedContents).resourcesSnapshotId;
  if (!id) throw new Problem('not-found', `recovery point ${point.id} records no resources snapshot`);
  return id;
}

/** The repository snapshot holding a PV's files: only copies have one; a CSI snapshot stays in its cluster. */
export function volumeSnapshotOf(point: PointRow, namespace: string, claim: string): string {
  const volume = (point.contents as RecordedContents).persistentVolumes?.find((v) => v.namespace === namespace && v.claim === claim);
  if (!volume) throw new Problem('not-found', `recovery point ${point.id} holds no PV of claim ${namespace}/${claim}`);
  if (!volume.copySnapshotId) {
    throw new Problem('conflict', `the PV of claim ${namespace}/${claim} is kept as a CSI snapshot in its cluster, not copied to storage: its files can be read only by restoring it`);
  }
  return volume.copySnapshotId;
}

/** The index the backup wrote beside the objects (activities/cluster/backup/resource-tree.ts). */
export async function readResourceIndex(browser: SnapshotBrowser): Promise<ExportIndexEntry[]> {
  const entry = await browser.entry(EXPORT_INDEX_FILE);
  if (!entry) throw new Problem('storage-unavailable', `the recovery point's resources snapshot has no ${EXPORT_INDEX_FILE}`);
  const index = (parseStored(await browser.readFile(entry, MAX_INDEX_BYTES), EXPORT_INDEX_FILE) ?? {}) as { version?: unknown; resources?: ExportIndexEntry[] };
  if (index.version !== EXPORT_INDEX_VERSION) throw new Problem('storage-unavailable', `${EXPORT_INDEX_FILE} has version ${String(index.version)}; this API reads version ${EXPORT_INDEX_VERSION}`);
  return index.resources ?? [];
}

/** JSON the backup wrote; a forged or damaged file is the storage's fault, not the caller's. */
function parseStored(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Problem('storage-unavailable', `${what} in the recovery point's resources snapshot is not JSON`);
  }
}

export function toPointResource(entry: ExportIndexEntry): PointResource {
  return { type: entry.typeId, apiVersion: entry.apiVersion, kind: entry.kind, namespace: entry.namespace ?? null, name: entry.name };
}

/** One object of the tree as YAML, read by the path its index entry gives. */
export async function readResourceYaml(browser: SnapshotBrowser, entry: ExportIndexEntry): Promise<string> {
  const file = await browser.entry(entry.path);
  if (!file || file.type !== 'file') throw new Problem('storage-unavailable', `the resources snapshot lacks ${entry.path}, which its index lists`);
  return stringify(parseStored(await browser.readFile(file, MAX_OBJECT_BYTES), entry.path));
}

export function toVolumeFile(entry: ManifestEntry): VolumeFile {
  const millis = BigInt(entry.mtimeNs) / 1_000_000n;
  const link = entry.type === 'symlink' ? entry.target : entry.type === 'hardlink' ? entry.linkTo : undefined;
  return {
    path: entry.path,
    type: entry.type,
    mode: (entry.mode & 0o7777).toString(8).padStart(4, '0'),
    size: entry.size,
    uid: entry.uid,
    gid: entry.gid,
    modifiedAt: new Date(Number(millis)).toISOString(),
    ...(link !== undefined ? { target: link } : {}),
  };
}
