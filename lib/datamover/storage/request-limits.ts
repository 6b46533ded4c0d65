/**
 * Bounds on every request to a storage endpoint. The endpoint is the tenant's choice, and the control plane
 * (retention, GC, the API's probe) talks to every tenant's from shared processes: an endpoint that accepts
 * the connection and never answers, trickles its answer a byte at a time, or announces a gigantic body must
 * cost one request its deadline, never a worker's memory or a slot forever.
 */
export interface StorageRequestLimits {
  /** Until the TCP (and TLS) connection is up. */
  connectTimeoutMs: number;
  /** The longest silence while waiting for an answer or reading it. */
  idleTimeoutMs: number;
  /** One request, from sending it to the last byte of its answer: what trickling cannot stretch. */
  requestDeadlineMs: number;
  /** The largest answer that is not an object's data: listings, error bodies, retention settings. */
  maxAnswerBytes: number;
  /**
   * The largest object read whole, of any kind; each kind has its own, smaller bound where the format
   * makes it smaller (lib/datamover/repository/object-bounds.ts: a header is read in KiB). A ranged read
   * is bounded by its range.
   */
  maxObjectBytes: number;
}

export const DEFAULT_STORAGE_REQUEST_LIMITS: StorageRequestLimits = {
  // A reachable endpoint connects in milliseconds; ten seconds allows a congested link or a slow TLS handshake.
  connectTimeoutMs: 10_000,
  // S3 servers answer a request or stream its body without pausing this long; a stalled socket is dead.
  idleTimeoutMs: 60_000,
  // The largest object (maxObjectBytes) read at about 1 MB/s, or a 16 MiB pack sent at under 30 KB/s.
  requestDeadlineMs: 10 * 60_000,
  // A ListObjectsV2 page (1000 keys of at most 1 KiB) is under 1.5 MB; error answers are a few hundred bytes.
  maxAnswerBytes: 16 * 1024 * 1024,
  // The largest object kind: the index GC consolidates (MAX_INDEX_OBJECT_BYTES in object-bounds.ts).
  maxObjectBytes: 512 * 1024 * 1024,
};
