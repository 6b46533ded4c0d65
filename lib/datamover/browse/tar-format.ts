import type { ManifestEntry } from '../../../proto/repository/index.js';
import { bytesOfName } from '../manifest/file-names.js';

/**
 * POSIX tar (ustar, with pax extended headers where ustar's fields are too small) for archives of a
 * snapshot's files. Only what a download needs: regular files, directories, symlinks, hard links.
 */
export const TAR_BLOCK = 512;
const USTAR_NAME_BYTES = 100;
/** 11 octal digits: the largest size ustar's field holds. */
const USTAR_MAX_SIZE = 8 ** 11 - 1;
const USTAR_MAX_ID = 8 ** 7 - 1;

const TYPE_FLAGS: Partial<Record<ManifestEntry['type'], string>> = { file: '0', hardlink: '1', symlink: '2', dir: '5' };

/** Entry types an archive holds; devices, fifos and sockets are left out (they have no bytes to download). */
export function archivable(entry: ManifestEntry): boolean {
  return entry.type in TYPE_FLAGS;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function headerBlock(name: Buffer, fields: { mode: number; uid: number; gid: number; size: number; mtime: number; type: string; link: Buffer }): Buffer {
  const block = Buffer.alloc(TAR_BLOCK);
  name.copy(block, 0, 0, Math.min(name.length, USTAR_NAME_BYTES));
  block.write(octal(fields.mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(Math.min(fields.uid, USTAR_MAX_ID), 8), 108, 'ascii');
  block.write(octal(Math.min(fields.gid, USTAR_MAX_ID), 8), 116, 'ascii');
  block.write(octal(Math.min(fields.size, USTAR_MAX_SIZE), 12), 124, 'ascii');
  block.write(octal(Math.max(0, fields.mtime), 12), 136, 'ascii');
  block.write(fields.type, 156, 'ascii');
  fields.link.copy(block, 157, 0, Math.min(fields.link.length, USTAR_NAME_BYTES));
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  // The checksum is computed with its own field as spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** One pax record: "<length> <key>=<value>\n", the length counting itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

export function padding(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(TAR_BLOCK - rest);
}

/** The header blocks of one entry (a pax header first when needed); its content, padded, follows. */
export function entryHeader(entry: ManifestEntry): Buffer {
  const dir = entry.type === 'dir';
  const name = bytesOfName(dir ? `${entry.path}/` : entry.path);
  const link = bytesOfName(entry.type === 'symlink' ? (entry.target ?? '') : entry.type === 'hardlink' ? (entry.linkTo ?? '') : '');
  const size = entry.type === 'file' ? entry.size : 0;
  const mtime = Number(BigInt(entry.mtimeNs) / 1_000_000_000n);
  const records: Buffer[] = [];
  if (name.length > USTAR_NAME_BYTES) records.push(paxRecord('path', name));
  if (link.length > USTAR_NAME_BYTES) records.push(paxRecord('linkpath', link));
  if (size > USTAR_MAX_SIZE) records.push(paxRecord('size', Buffer.from(String(size))));
  if (entry.uid > USTAR_MAX_ID) records.push(paxRecord('uid', Buffer.from(String(entry.uid))));
  if (entry.gid > USTAR_MAX_ID) records.push(paxRecord('gid', Buffer.from(String(entry.gid))));
  records.push(paxRecord('mtime', Buffer.from((Number(BigInt(entry.mtimeNs) / 1_000_000n) / 1000).toFixed(3))));
  const pax = Buffer.concat(records);
  const paxHeader = headerBlock(Buffer.from('PaxHeader'), { mode: 0o644, uid: 0, gid: 0, size: pax.length, mtime, type: 'x', link: Buffer.alloc(0) });
  const header = headerBlock(name, { mode: entry.mode, uid: entry.uid, gid: entry.gid, size, mtime, type: TYPE_FLAGS[entry.type] ?? '0', link });
  return Buffer.concat([paxHeader, pax, padding(pax.length), header]);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);
