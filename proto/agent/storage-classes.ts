import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';

/** Control plane -> agent of a restore's target: which of these storage classes does the cluster lack? */
export const MissingStorageClassesRequestV1 = Type.Object({
  version: Type.Literal(1),
  storageClasses: Type.Array(Type.String()),
});
export type MissingStorageClassesRequest = Static<typeof MissingStorageClassesRequestV1>;

export const MissingStorageClassesResultV1 = Type.Object({
  version: Type.Literal(1),
  /** Those of the request the target has no StorageClass for, sorted. */
  missing: Type.Array(Type.String()),
});
export type MissingStorageClassesResult = Static<typeof MissingStorageClassesResultV1>;

export const missingStorageClassesRequestCodec = versionedCodec<MissingStorageClassesRequest>('missing-storage-classes request', {
  1: versionDecoder(MissingStorageClassesRequestV1, (value) => value),
});

export const missingStorageClassesResultCodec = versionedCodec<MissingStorageClassesResult>('missing-storage-classes result', {
  1: versionDecoder(MissingStorageClassesResultV1, (value) => value),
});
