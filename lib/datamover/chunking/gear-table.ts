import { createHmac } from 'node:crypto';

/**
 * The 256-entry gear table, derived from the repository's chunker key: boundaries then depend on a secret,
 * so an observer of chunk sizes cannot test whether a known file is in the repository.
 */
export function deriveGearTable(chunkerKey: Buffer): Int32Array {
  const table = new Int32Array(256);
  for (let block = 0; block < 32; block++) {
    const digest = createHmac('sha256', chunkerKey).update(`gear-table-${block}`).digest();
    for (let word = 0; word < 8; word++) table[block * 8 + word] = digest.readInt32LE(word * 4);
  }
  return table;
}
