/** Messages between WorkerSealer (main thread) and seal-worker. */
export type SealerRequest =
  | { op: 'hash'; sequence: number; data: Uint8Array; metadata: boolean }
  | { op: 'seal' | 'drop'; sequence: number };

export interface SealerReply {
  sequence: number;
  /** Answer to `hash`. */
  id?: Uint8Array;
  /** Answer to `seal`. */
  stored?: Uint8Array;
  flags?: number;
  error?: string;
}
