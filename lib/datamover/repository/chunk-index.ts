import { IdTable } from './id-table.js';

/** Where one chunk is stored. */
export interface ChunkLocation {
  packKey: string;
  offset: number;
  storedLength: number;
  rawLength: number;
  flags: number;
}

/** packNumber u32, offset u32, storedLength u32, rawLength u32, flags u8. */
const VALUE_BYTES = 17;

/**
 * Chunk id → location, for every pack of the repository a mover knows about. Pack keys are interned into
 * a numbered table so each chunk costs a fixed few dozen bytes.
 */
export class ChunkIndex {
  private readonly table = new IdTable(VALUE_BYTES);
  private readonly packKeys: string[] = [];
  private readonly packNumbers = new Map<string, number>();

  has(id: Uint8Array): boolean {
    return this.table.has(id);
  }

  add(id: Uint8Array, location: ChunkLocation): void {
    let packNumber = this.packNumbers.get(location.packKey);
    if (packNumber === undefined) {
      packNumber = this.packKeys.length;
      this.packKeys.push(location.packKey);
      this.packNumbers.set(location.packKey, packNumber);
    }
    const at = this.table.upsert(id);
    const values = this.table.values;
    values.writeUInt32LE(packNumber, at);
    values.writeUInt32LE(location.offset, at + 4);
    values.writeUInt32LE(location.storedLength, at + 8);
    values.writeUInt32LE(location.rawLength, at + 12);
    values[at + 16] = location.flags;
  }

  lookup(id: Uint8Array): ChunkLocation | undefined {
    const at = this.table.find(id);
    if (at < 0) return undefined;
    const values = this.table.values;
    return {
      packKey: this.packKeys[values.readUInt32LE(at)]!,
      offset: values.readUInt32LE(at + 4),
      storedLength: values.readUInt32LE(at + 8),
      rawLength: values.readUInt32LE(at + 12),
      flags: values[at + 16]!,
    };
  }
}

/** A set of chunk ids (GC's mark set). */
export class ChunkIdSet {
  private readonly table = new IdTable(0);

  add(id: Uint8Array): void {
    this.table.upsert(id);
  }

  has(id: Uint8Array): boolean {
    return this.table.has(id);
  }
}
