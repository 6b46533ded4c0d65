/**
 * What a chunk's stored payload is, in its index entry and pack trailer. On its own, without the schemas, so
 * the sealing and restore threads that need only these numbers do not load and build every schema.
 */
export const CHUNK_FLAGS = {
  /** The stored payload is zstd-compressed. */
  compressed: 1,
  /** Holds manifest or bundle data rather than file content; only informational. */
  metadata: 2,
} as const;
