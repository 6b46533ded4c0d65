/**
 * An open-addressing hash table of 32-byte chunk ids with a fixed-size value per id, in one Buffer.
 *
 * Why not a Map<string, …>: a Map entry with a hex key costs ~150 bytes; this costs keyBytes + valueBytes
 * per slot at ≤ 70 % load (≈46 bytes for the chunk index), which is what keeps a mover's index inside its
 * memory limit for multi-terabyte repositories. Only the first 16 bytes of an id are kept: ids are keyed
 * HMACs, and a 128-bit collision is beyond any repository's size.
 */
const KEY_BYTES = 16;
const MAX_LOAD = 0.7;
const INITIAL_SLOTS = 1024;

export class IdTable {
  private slots: Buffer;
  private capacity: number;
  private count = 0;
  private readonly slotBytes: number;

  constructor(private readonly valueBytes: number) {
    this.slotBytes = KEY_BYTES + 1 + valueBytes;
    this.capacity = INITIAL_SLOTS;
    this.slots = Buffer.alloc(this.capacity * this.slotBytes);
  }

  /** Returns the slot offset of the value, or -1. */
  find(id: Uint8Array): number {
    const slot = this.probe(this.slots, this.capacity, id);
    return this.slots[slot * this.slotBytes + KEY_BYTES] === 1 ? slot * this.slotBytes + KEY_BYTES + 1 : -1;
  }

  has(id: Uint8Array): boolean {
    return this.find(id) >= 0;
  }

  /** Inserts (or overwrites) and returns the value offset to fill via `values`. */
  upsert(id: Uint8Array): number {
    if ((this.count + 1) / this.capacity > MAX_LOAD) this.grow();
    const slot = this.probe(this.slots, this.capacity, id);
    const base = slot * this.slotBytes;
    if (this.slots[base + KEY_BYTES] !== 1) {
      this.slots.set(id.subarray(0, KEY_BYTES), base);
      this.slots[base + KEY_BYTES] = 1;
      this.count++;
    }
    return base + KEY_BYTES + 1;
  }

  /** The buffer `find`/`upsert` offsets point into; valid until the next upsert. */
  get values(): Buffer {
    return this.slots;
  }

  private probe(slots: Buffer, capacity: number, id: Uint8Array): number {
    const mask = capacity - 1;
    let slot = ((id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0) & mask;
    for (;;) {
      const base = slot * this.slotBytes;
      if (slots[base + KEY_BYTES] !== 1) return slot;
      if (slots.compare(id, 0, KEY_BYTES, base, base + KEY_BYTES) === 0) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.slots = Buffer.alloc(this.capacity * this.slotBytes);
    for (let slot = 0; slot < oldCapacity; slot++) {
      const base = slot * this.slotBytes;
      if (oldSlots[base + KEY_BYTES] !== 1) continue;
      const target = this.probe(this.slots, this.capacity, oldSlots.subarray(base, base + KEY_BYTES)) * this.slotBytes;
      oldSlots.copy(this.slots, target, base, base + this.slotBytes);
    }
  }
}
