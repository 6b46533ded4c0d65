import { packTrailerCodec, type PackedChunk, type PackTrailer } from '../../../proto/repository/index.js';
import { CorruptObjectError } from '../errors.js';
import { openObject, sealObject } from './sealed-object.js';
import type { Repository } from './repository.js';

/**
 * Pack layout: chunk payloads ‖ sealed trailer ‖ trailer length (u32 LE) ‖ magic. The trailer lists the
 * pack's chunks, so a pack uploaded by a mover that died before writing its index can still be adopted.
 */
const MAGIC = Buffer.from('HVP1');
const FOOTER_BYTES = 8;

function trailerObjectKey(packKey: string): string {
  return `${packKey}#trailer`;
}

export function encodePackTrailer(dataKey: Buffer, packKey: string, chunks: PackedChunk[]): Buffer {
  const trailer: PackTrailer = { version: 1, chunks };
  const sealed = sealObject(dataKey, trailerObjectKey(packKey), trailer);
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32LE(sealed.length, 0);
  MAGIC.copy(footer, 4);
  return Buffer.concat([sealed, footer]);
}

/** Reads the trailer from a whole pack already in memory (verify) or by two range reads (resume). */
export async function readPackTrailer(repository: Repository, packKey: string, wholePack?: Buffer): Promise<PackTrailer> {
  const noTrailer = () => new CorruptObjectError(packKey, 'no pack trailer (truncated or not a pack)');
  let footer: Buffer;
  let size: number;
  if (wholePack) {
    size = wholePack.length;
    if (size < FOOTER_BYTES) throw noTrailer();
    footer = wholePack.subarray(size - FOOTER_BYTES);
  } else {
    const info = await repository.backend.head(packKey);
    if (!info) throw new CorruptObjectError(packKey, 'pack disappeared');
    size = info.size;
    // A pack cut shorter than its footer has nothing to read there (and a negative offset is no range).
    if (size < FOOTER_BYTES) throw noTrailer();
    footer = await repository.backend.get(packKey, { offset: size - FOOTER_BYTES, length: FOOTER_BYTES });
  }
  if (footer.length < FOOTER_BYTES || !footer.subarray(4).equals(MAGIC)) throw noTrailer();
  const length = footer.readUInt32LE(0);
  if (length > size - FOOTER_BYTES) throw new CorruptObjectError(packKey, 'trailer length out of range');
  const offset = size - FOOTER_BYTES - length;
  const sealed = wholePack
    ? wholePack.subarray(offset, offset + length)
    : await repository.backend.get(packKey, { offset, length });
  return openObject(repository.keys.dataKey, trailerObjectKey(packKey), sealed, (text) => packTrailerCodec.decodeJson(text));
}
