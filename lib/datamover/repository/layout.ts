import { randomBytes } from 'node:crypto';

/**
 * Object keys of a repository. Everything a session writes carries its session id, so a resumed session
 * can find its own packs, and movers never write the same key.
 */
export const HEADER_KEY = 'config';
export const PACKS_PREFIX = 'packs/';
export const INDEX_PREFIX = 'index/';
export const SNAPSHOTS_PREFIX = 'snapshots/';
export const LOCKS_PREFIX = 'locks/';
export const TOMBSTONES_PREFIX = 'tombstones/';
/**
 * Objects repair moved aside because they do not open, under their original key. A prefix of its own, so
 * no listing of indexes, snapshots or packs ever meets them.
 */
export const QUARANTINE_PREFIX = 'quarantine/';

/** Time-ordered and unique across hosts: `<base36 ms>-<8 random hex>`. */
export function newSessionId(now: Date = new Date()): string {
  return `${now.getTime().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}

export function sessionPacksPrefix(sessionId: string): string {
  return `${PACKS_PREFIX}${sessionId}/`;
}

export function packKey(sessionId: string, sequence: number): string {
  return `${sessionPacksPrefix(sessionId)}${sequence.toString().padStart(6, '0')}`;
}

export function sessionOfPackKey(key: string): string {
  return key.slice(PACKS_PREFIX.length, key.lastIndexOf('/'));
}

export function sequenceOfPackKey(key: string): number {
  return Number.parseInt(key.slice(key.lastIndexOf('/') + 1), 10);
}

export function indexKey(sessionId: string, sequence: number): string {
  return `${INDEX_PREFIX}${sessionId}-${sequence.toString().padStart(6, '0')}`;
}

export function snapshotKey(snapshotId: string): string {
  return `${SNAPSHOTS_PREFIX}${snapshotId}`;
}

export function lockKey(sessionId: string): string {
  return `${LOCKS_PREFIX}${sessionId}`;
}

export function tombstoneKey(now: Date): string {
  return `${TOMBSTONES_PREFIX}${newSessionId(now)}`;
}

export function quarantineKey(objectKey: string): string {
  return `${QUARANTINE_PREFIX}${objectKey}`;
}
