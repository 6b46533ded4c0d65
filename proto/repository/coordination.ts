import { Type, type Static } from '@sinclair/typebox';
import { createVersionedCodec, versionDecoder } from './codec.js';

/**
 * Objects that let several movers and a garbage collector share one repository without a server:
 * session locks (plaintext, refreshed while a mover runs) and GC tombstones (packs condemned in one GC run,
 * deleted by a later one once every backup that could have missed the condemnation has finished).
 */
export const LOCK_KINDS = ['backup', 'restore', 'gc'] as const;

export const SessionLockV1 = Type.Object({
  version: Type.Literal(1),
  sessionId: Type.String(),
  kind: Type.Union(LOCK_KINDS.map((kind) => Type.Literal(kind))),
  hostname: Type.String(),
  pid: Type.Integer(),
  /**
   * When the lock was first written, by the storage server's clock (its object's LastModified then, read
   * back by the mover); the Unix epoch until the mover knows it. Movers before that wrote their own clock's time.
   */
  startedAt: Type.String(),
  /** The mover's clock, for people: liveness is the lock object's LastModified. */
  refreshedAt: Type.String(),
});
export type SessionLock = Static<typeof SessionLockV1>;

export const TombstoneV1 = Type.Object({
  version: Type.Literal(1),
  /** The writing GC's clock, for people: a tombstone's age is its object's LastModified. */
  createdAt: Type.String(),
  /** Pack keys whose every chunk was unreferenced when this tombstone was written. */
  packs: Type.Array(Type.String()),
});
export type Tombstone = Static<typeof TombstoneV1>;

export const sessionLockCodec = createVersionedCodec<SessionLock>('session lock', {
  1: versionDecoder(SessionLockV1, (value) => value),
});

export const tombstoneCodec = createVersionedCodec<Tombstone>('tombstone', {
  1: versionDecoder(TombstoneV1, (value) => value),
});
