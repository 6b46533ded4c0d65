import type { IndexObject, PackedChunk } from '../../../proto/repository/index.js';
import { CorruptObjectError } from '../errors.js';

const ID_BYTES = 32;
/** offset, storedLength, rawLength */
const FIELDS = 3;
const MAX_FIELD = 0xffff_ffff;
const MAX_FLAGS = 0xff;

type IndexedPack = IndexObject['packs'][number];

/**
 * A pack's index entry as GC holds it for the whole repository while it decides: chunk ids as bytes and
 * their fields in typed arrays, about 45 bytes a chunk. As decoded JSON (a tuple with a 64-character hex
 * string each) a chunk cost several times that, so a repository of ten million chunks needed gigabytes,
 * on the control worker every tenant's maintenance shares. Entries are made again only for the packs of
 * one index object at a time, when it is written.
 */
export class CompactPack {
  private constructor(
    readonly key: string,
    readonly size: number,
    private readonly ids: Buffer,
    private readonly fields: Uint32Array,
    private readonly flags: Uint8Array,
  ) {}

  /**
   * `indexKey` names the index object the entry came from. Its fields must fit the typed arrays: the schema
   * bounds them below only, and whoever holds the bucket's keys can write an index object, so a value that
   * would wrap is refused here rather than written back changed.
   */
  static from(pack: IndexedPack, indexKey: string): CompactPack {
    const count = pack.chunks.length;
    const ids = Buffer.allocUnsafe(count * ID_BYTES);
    const fields = new Uint32Array(count * FIELDS);
    const flags = new Uint8Array(count);
    pack.chunks.forEach(([idHex, offset, storedLength, rawLength, chunkFlags], i) => {
      if (Math.max(offset, storedLength, rawLength) > MAX_FIELD || chunkFlags > MAX_FLAGS) {
        throw new CorruptObjectError(indexKey, `chunk ${idHex} in ${pack.key} has a field out of range`);
      }
      ids.write(idHex, i * ID_BYTES, ID_BYTES, 'hex');
      fields[i * FIELDS] = offset;
      fields[i * FIELDS + 1] = storedLength;
      fields[i * FIELDS + 2] = rawLength;
      flags[i] = chunkFlags;
    });
    return new CompactPack(pack.key, pack.size, ids, fields, flags);
  }

  get chunkCount(): number {
    return this.flags.length;
  }

  /** The chunk's id: a view, valid as long as this pack. */
  id(chunk: number): Buffer {
    return this.ids.subarray(chunk * ID_BYTES, (chunk + 1) * ID_BYTES);
  }

  /** Whether any chunk's id passes `test`. */
  someId(test: (id: Buffer) => boolean): boolean {
    for (let chunk = 0; chunk < this.chunkCount; chunk++) if (test(this.id(chunk))) return true;
    return false;
  }

  chunk(chunk: number): { offset: number; storedLength: number; rawLength: number; flags: number } {
    const at = chunk * FIELDS;
    return { offset: this.fields[at]!, storedLength: this.fields[at + 1]!, rawLength: this.fields[at + 2]!, flags: this.flags[chunk]! };
  }

  /** The index entry again, as written in index objects. */
  entry(): IndexedPack {
    const chunks: PackedChunk[] = [];
    for (let chunk = 0; chunk < this.chunkCount; chunk++) {
      const { offset, storedLength, rawLength, flags } = this.chunk(chunk);
      chunks.push([this.id(chunk).toString('hex'), offset, storedLength, rawLength, flags]);
    }
    return { key: this.key, size: this.size, chunks };
  }
}
