import type { EntryType, ManifestEntry } from '../../../proto/repository/index.js';
import { ROOT_PATH } from '../manifest/walk-order.js';
import { walkTree, type WalkedItem } from './tree-walker.js';

/** Entries per batch: one message (and one promise on the receiving side) per this many. */
export const WALK_BATCH_ENTRIES = 512;

/**
 * Walked entries packed to cross between threads cheaply: the strings joined into one (a path never holds
 * NUL), the numbers in an array that is moved, not copied. Structured-cloning 50k entry objects cost more
 * on the receiving thread than building them again from this.
 */
export interface EncodedWalkBatch {
  /** path, mtimeNs, ino (empty when absent) of each entry, each followed by NUL. */
  text: string;
  /** NUMBER_FIELDS per entry. */
  numbers: Float64Array;
}

/** type, mode, uid, gid, size, nlink (0: absent), rdev (-1: absent), sparse (0 or 1). */
const NUMBER_FIELDS = 8;
const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev', 'hardlink'];

/**
 * Packs walked items one at a time as they come, so each item is garbage at once: holding 512 entries
 * until the batch was full made every young-generation collection copy them.
 */
export class WalkBatchEncoder {
  private numbers: Float64Array;
  private text: string[] = [];
  private count = 0;

  constructor(private readonly capacity: number) {
    this.numbers = new Float64Array(capacity * NUMBER_FIELDS);
  }

  get size(): number {
    return this.count;
  }

  add({ entry, sparse }: WalkedItem): void {
    this.text.push(entry.path, entry.mtimeNs, entry.ino ?? '');
    const at = this.count++ * NUMBER_FIELDS;
    const numbers = this.numbers;
    numbers[at] = TYPES.indexOf(entry.type);
    numbers[at + 1] = entry.mode;
    numbers[at + 2] = entry.uid;
    numbers[at + 3] = entry.gid;
    numbers[at + 4] = entry.size;
    numbers[at + 5] = entry.nlink ?? 0;
    numbers[at + 6] = entry.rdev ?? -1;
    numbers[at + 7] = sparse ? 1 : 0;
  }

  /** The batch so far; the encoder starts a new one. */
  take(): EncodedWalkBatch {
    const batch = { text: this.text.join('\0') + '\0', numbers: this.numbers.subarray(0, this.count * NUMBER_FIELDS) };
    this.numbers = new Float64Array(this.capacity * NUMBER_FIELDS);
    this.text = [];
    this.count = 0;
    return batch;
  }
}

/** The items WalkBatchEncoder packed, with absolute paths under `absoluteRoot` (as walkTree resolved it). */
export function decodeWalkBatch({ text, numbers }: EncodedWalkBatch, absoluteRoot: string): WalkedItem[] {
  const strings = text.split('\0');
  const items: WalkedItem[] = new Array(numbers.length / NUMBER_FIELDS);
  for (let i = 0, n = 0; i < items.length; i++, n += NUMBER_FIELDS) {
    const path = strings[i * 3]!;
    const type = TYPES[numbers[n]!]!;
    // Built with the same fields, in the same cases, as entryFromStats.
    const entry: ManifestEntry = { path, type, mode: numbers[n + 1]!, uid: numbers[n + 2]!, gid: numbers[n + 3]!, mtimeNs: strings[i * 3 + 1]!, size: numbers[n + 4]! };
    const ino = strings[i * 3 + 2]!;
    if (ino !== '') entry.ino = ino;
    if (numbers[n + 5]! > 0) entry.nlink = numbers[n + 5]!;
    if (numbers[n + 6]! >= 0) entry.rdev = numbers[n + 6]!;
    const absolutePath = path === ROOT_PATH ? absoluteRoot : absoluteRoot === '/' ? `/${path}` : `${absoluteRoot}/${path}`;
    items[i] = { absolutePath, entry, sparse: numbers[n + 7] === 1 };
  }
  return items;
}

/** walkTree in batches on the calling thread: the walk where there is no walk thread. */
export function* walkInBatches(root: string, startAfter?: string | null): Generator<WalkedItem[]> {
  let batch: WalkedItem[] = [];
  for (const item of walkTree(root, startAfter)) {
    batch.push(item);
    if (batch.length === WALK_BATCH_ENTRIES) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
