import { execFile } from 'node:child_process';
import { chmod, mkdir, open, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { V1PersistentVolume } from '@kubernetes/client-node';

const run = promisify(execFile);

export type VolumeMode = 'Filesystem' | 'Block';

/**
 * The emulated storage backend: each volume is a directory (Filesystem) or one sparse file (Block) under
 * `<root>/volumes`, each snapshot a full copy under `<root>/snapshots`. Copies are real and independent
 * (no reflinks, no hard links), so a snapshot keeps the data as of the moment it was taken.
 */
export class VolumeStore {
  constructor(readonly root: string) {}

  volumePath(handle: string): string {
    return join(this.root, 'volumes', safeName(handle));
  }

  snapshotPath(snapshotId: string): string {
    return join(this.root, 'snapshots', safeName(snapshotId));
  }

  async createVolume(handle: string, mode: VolumeMode, sizeBytes: number): Promise<string> {
    const path = this.volumePath(handle);
    await mkdir(join(this.root, 'volumes'), { recursive: true });
    if (mode === 'Block') {
      const file = await open(path, 'w', 0o660);
      await file.truncate(sizeBytes);
      await file.close();
    } else {
      await mkdir(path, { recursive: true });
      // Like csi-hostpath: any container user may write to a fresh volume.
      await chmod(path, 0o777);
    }
    return path;
  }

  async hasVolume(handle: string): Promise<boolean> {
    return exists(this.volumePath(handle));
  }

  async deleteVolume(handle: string): Promise<void> {
    await rm(this.volumePath(handle), { recursive: true, force: true });
  }

  /** Copies a volume as of now; a retried snapshot with the same id replaces the earlier partial copy. */
  async snapshotVolume(handle: string, snapshotId: string): Promise<number> {
    await mkdir(join(this.root, 'snapshots'), { recursive: true });
    const target = this.snapshotPath(snapshotId);
    await rm(target, { recursive: true, force: true });
    await copyExact(this.volumePath(handle), target);
    return sizeOf(target);
  }

  async hasSnapshot(snapshotId: string): Promise<boolean> {
    return exists(this.snapshotPath(snapshotId));
  }

  async snapshotSize(snapshotId: string): Promise<number> {
    return sizeOf(this.snapshotPath(snapshotId));
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await rm(this.snapshotPath(snapshotId), { recursive: true, force: true });
  }

  /** Fills a new volume from a snapshot (or, for clones, from another volume's path). */
  async fillVolume(handle: string, sourcePath: string, mode: VolumeMode, sizeBytes: number): Promise<void> {
    const target = this.volumePath(handle);
    await rm(target, { recursive: true, force: true });
    await mkdir(join(this.root, 'volumes'), { recursive: true });
    await copyExact(sourcePath, target);
    if (mode === 'Block') {
      // A restored block volume has the requested size, which may exceed the snapshot's.
      const file = await open(target, 'r+');
      if ((await file.stat()).size < sizeBytes) await file.truncate(sizeBytes);
      await file.close();
    }
  }
}

/** The local name of a PV's backing volume, whatever its source type. */
export function volumeHandleOf(pv: V1PersistentVolume): string | undefined {
  if (pv.spec?.csi) return pv.spec.csi.volumeHandle;
  if (pv.spec?.nfs) return basename(pv.spec.nfs.path);
  if (pv.spec?.local) return basename(pv.spec.local.path);
  return undefined;
}

/** `cp -a` keeps modes, owners, times, symlinks and hard links; sparse files stay sparse. */
async function copyExact(source: string, target: string): Promise<void> {
  await run('cp', ['-a', '--reflink=never', '--sparse=always', source, target]);
}

async function sizeOf(path: string): Promise<number> {
  const stats = await stat(path);
  if (stats.isFile()) return stats.size;
  const { stdout } = await run('du', ['-sb', path]);
  return Number(stdout.split('\t')[0]);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function safeName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') throw new Error(`unsafe volume or snapshot name: ${name}`);
  return name;
}
