import { createHmac } from 'node:crypto';

/**
 * Chunk ids are keyed: equal content gives equal ids inside one repository, and nothing outside it. A module
 * of its own, so the threads that hash chunks do not load the repository's key records and their schemas.
 */
export function chunkId(idKey: Buffer, data: Uint8Array): Buffer {
  return createHmac('sha256', idKey).update(data).digest();
}
