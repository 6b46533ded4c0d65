import type { ChunkerParams } from '../../../proto/repository/index.js';

/**
 * FastCDC (2020 variant) over a gear rolling hash.
 *
 * - No cut before `minSize`: those bytes are not even hashed, which is most of the speed.
 * - Normalised chunking: a stricter mask (2 more bits) below `avgSize` and a looser one (2 fewer) above it
 *   pulls sizes towards the average, so one edit rarely moves more than one or two boundaries.
 * - Masks test the hash's high bits: they mix the last 32 bytes, the low bits only the last few.
 * - The hash restarts at every boundary, so where a chunk ends depends only on bytes since the previous
 *   boundary; resumed runs and unchanged regions of edited files cut at the same places.
 */
const NORMALISATION_BITS = 2;

function highBitsMask(bits: number): number {
  return bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1);
}

export class ContentDefinedChunker {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  private readonly strictMask: number;
  private readonly looseMask: number;

  constructor(
    params: ChunkerParams,
    readonly gear: Int32Array,
  ) {
    this.minSize = params.minSize;
    this.avgSize = params.avgSize;
    this.maxSize = params.maxSize;
    const bits = Math.round(Math.log2(params.avgSize));
    this.strictMask = highBitsMask(bits + NORMALISATION_BITS);
    this.looseMask = highBitsMask(bits - NORMALISATION_BITS);
  }

  /**
   * Length of the chunk starting at `start`, or 0 when more input is needed to decide
   * (fewer than `maxSize` bytes available and not at the end of the stream).
   */
  cut(data: Uint8Array, start: number, end: number, atEnd: boolean): number {
    const available = end - start;
    if (available <= 0) return 0;
    if (available < this.maxSize && !atEnd) return 0;
    if (available <= this.minSize) return available;
    const limit = available < this.maxSize ? available : this.maxSize;
    const normal = limit < this.avgSize ? limit : this.avgSize;
    const gear = this.gear;
    const strict = this.strictMask;
    const loose = this.looseMask;
    // Absolute positions: one add per byte fewer than `data[start + i]`, and the hot loops touch only locals.
    const normalEnd = start + normal;
    const limitEnd = start + limit;
    let hash = 0;
    let p = start + this.minSize;
    // Eight bytes per iteration: the same hash and the same tests byte by byte, but V8 does not unroll, and
    // the loop's own compare and branch cost as much as a byte's hashing (measured: twice the throughput,
    // ~1.8 GB/s against ~0.9 on the bench's database files).
    for (; p + 7 < normalEnd; p += 8) {
      hash = ((hash << 1) + gear[data[p]!]!) | 0;
      if ((hash & strict) === 0) return p + 1 - start;
      hash = ((hash << 1) + gear[data[p + 1]!]!) | 0;
      if ((hash & strict) === 0) return p + 2 - start;
      hash = ((hash << 1) + gear[data[p + 2]!]!) | 0;
      if ((hash & strict) === 0) return p + 3 - start;
      hash = ((hash << 1) + gear[data[p + 3]!]!) | 0;
      if ((hash & strict) === 0) return p + 4 - start;
      hash = ((hash << 1) + gear[data[p + 4]!]!) | 0;
      if ((hash & strict) === 0) return p + 5 - start;
      hash = ((hash << 1) + gear[data[p + 5]!]!) | 0;
      if ((hash & strict) === 0) return p + 6 - start;
      hash = ((hash << 1) + gear[data[p + 6]!]!) | 0;
      if ((hash & strict) === 0) return p + 7 - start;
      hash = ((hash << 1) + gear[data[p + 7]!]!) | 0;
      if ((hash & strict) === 0) return p + 8 - start;
    }
    for (; p < normalEnd; p++) {
      hash = ((hash << 1) + gear[data[p]!]!) | 0;
      if ((hash & strict) === 0) return p + 1 - start;
    }
    for (; p + 7 < limitEnd; p += 8) {
      hash = ((hash << 1) + gear[data[p]!]!) | 0;
      if ((hash & loose) === 0) return p + 1 - start;
      hash = ((hash << 1) + gear[data[p + 1]!]!) | 0;
      if ((hash & loose) === 0) return p + 2 - start;
      hash = ((hash << 1) + gear[data[p + 2]!]!) | 0;
      if ((hash & loose) === 0) return p + 3 - start;
      hash = ((hash << 1) + gear[data[p + 3]!]!) | 0;
      if ((hash & loose) === 0) return p + 4 - start;
      hash = ((hash << 1) + gear[data[p + 4]!]!) | 0;
      if ((hash & loose) === 0) return p + 5 - start;
      hash = ((hash << 1) + gear[data[p + 5]!]!) | 0;
      if ((hash & loose) === 0) return p + 6 - start;
      hash = ((hash << 1) + gear[data[p + 6]!]!) | 0;
      if ((hash & loose) === 0) return p + 7 - start;
      hash = ((hash << 1) + gear[data[p + 7]!]!) | 0;
      if ((hash & loose) === 0) return p + 8 - start;
    }
    for (; p < limitEnd; p++) {
      hash = ((hash << 1) + gear[data[p]!]!) | 0;
      if ((hash & loose) === 0) return p + 1 - start;
    }
    return limit;
  }
}
