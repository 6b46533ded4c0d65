import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { backupCheckpointCodec, type BackupCheckpoint } from '../../../proto/repository/index.js';

/** The CLI's stand-in for Temporal heartbeat details: the last checkpoint, replaced atomically. */
export async function writeCheckpointFile(path: string, checkpoint: BackupCheckpoint): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(checkpoint));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

export async function readCheckpointFile(path: string): Promise<BackupCheckpoint | undefined> {
  try {
    return backupCheckpointCodec.decodeJson(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function removeCheckpointFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
