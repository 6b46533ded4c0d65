import { versionDecoder, versionedCodec, type CodecErrors, type VersionDecoder, type VersionedCodec } from '../versioned-codec.js';

/**
 * Versioned decoding for every persisted repository message.
 *
 * A repository outlives the software that wrote it, so each message carries `version` and every version
 * that was ever written keeps a decoder here that upgrades it to the current shape. Adding a version means
 * adding a schema and an upgrade function; never editing an old schema.
 */
export class SchemaDecodeError extends Error {
  readonly code = 'REPOSITORY_SCHEMA_INVALID';
  constructor(
    readonly kind: string,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'SchemaDecodeError';
  }
}

export class UnsupportedVersionError extends Error {
  readonly code = 'REPOSITORY_VERSION_UNSUPPORTED';
  constructor(
    readonly kind: string,
    readonly version: unknown,
  ) {
    super(`${kind}: version ${String(version)} is not supported by this build; upgrade the data mover`);
    this.name = 'UnsupportedVersionError';
  }
}

const repositoryErrors: CodecErrors = {
  invalid: (kind, detail) => new SchemaDecodeError(kind, detail),
  unsupported: (kind, version) => new UnsupportedVersionError(kind, version),
};

export { versionDecoder };

export function createVersionedCodec<Current extends { version: number }>(
  kind: string,
  decoders: Record<number, VersionDecoder<Current>>,
): VersionedCodec<Current> {
  return versionedCodec(kind, decoders, repositoryErrors);
}
