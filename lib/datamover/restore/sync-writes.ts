import { closeSync, fchmodSync, fchownSync, futimesSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { fsPath } from '../manifest/file-names.js';
import { openVerifiedChunk, type OpeningKeys } from './chunk-opening.js';
import { nsToSeconds } from './times.js';
import type { ChunkRunJob, FileAttributes, SmallFilesJob } from './writer-messages.js';

/*
 * The writes a restore hands to its writer threads, as plain synchronous functions: a writer thread runs
 * them one job at a time, and without threads the main thread runs the very same code. Synchronous calls
 * because five promise-based calls cost ~100 µs of CPU per file against a few µs for the system calls, and
 * on a thread of its own a blocking create (ext4 can spend hundreds of µs finding an inode) stalls nothing else.
 */

/** Writes a small file's content, owner, mode and times through one descriptor. */
export function writeSmallFileSync(path: string, attributes: FileAttributes, content: Uint8Array, restoreOwners: boolean): void {
  const fd = openSync(fsPath(path), 'w', attributes.mode);
  try {
    for (let written = 0; written < content.length; ) written += writeSync(fd, content, written, content.length - written, written);
    // New files already belong to the restoring user; chown only when the owner differs.
    if (restoreOwners && (attributes.uid !== process.getuid?.() || attributes.gid !== process.getgid?.())) fchownSync(fd, attributes.uid, attributes.gid);
    // The mode given to open is filtered by the umask; this sets it exactly (the fd stays writable either way).
    fchmodSync(fd, attributes.mode);
    const mtime = nsToSeconds(attributes.mtimeNs);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
}

export function writeSmallFiles(keys: OpeningKeys, job: SmallFilesJob): void {
  const firstUser = new Map<number, string>();
  for (const file of job.files) if (!firstUser.has(file.bundle)) firstUser.set(file.bundle, file.manifestPath);
  const bundles = job.bundles.map(({ chunk, stored }, i) => openVerifiedChunk(keys, chunk, stored, firstUser.get(i)));
  for (const file of job.files) {
    // open(O_TRUNC) would follow a symlink left at the path, out of the target; unlink never does.
    if (job.replace) unlinkIfPresent(file.path);
    writeSmallFileSync(file.path, file.attributes, bundles[file.bundle]!.subarray(file.offset, file.offset + file.size), job.restoreOwners);
  }
}

/** Where a run's stored bytes are: in its slot of the shared run memory, or carried by the job. */
interface RunMemory {
  memory: SharedArrayBuffer;
  slotBytes: number;
}

export function writeChunkRun(keys: OpeningKeys, runs: RunMemory, job: ChunkRunJob): void {
  const stored = job.stored instanceof Uint8Array ? job.stored : new Uint8Array(runs.memory, job.stored.slot * runs.slotBytes, job.stored.length);
  for (const chunk of job.chunks) {
    const plaintext = openVerifiedChunk(keys, chunk, stored.subarray(chunk.storedStart, chunk.storedStart + chunk.storedLength), job.path);
    for (let written = 0; written < plaintext.length; ) {
      written += writeSync(job.fd, plaintext, written, plaintext.length - written, chunk.position + written);
    }
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(fsPath(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
