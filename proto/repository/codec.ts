import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

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

interface VersionDecoder<Current> {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
  upgrade(value: unknown): Current;
}

/** Registers one historical version: its schema and how it becomes the current shape. */
export function versionDecoder<S extends TSchema, Current>(
  schema: S,
  upgrade: (value: Static<S>) => Current,
): VersionDecoder<Current> {
  // Compiled on first use: compiling every schema at import would cost each CLI start hundreds of ms.
  let compiled: ReturnType<typeof TypeCompiler.Compile<S>> | undefined;
  const checker = () => (compiled ??= TypeCompiler.Compile(schema));
  return {
    check: (value) => checker().Check(value),
    firstError: (value) => {
      const error = checker().Errors(value).First();
      return error ? `${error.path || '/'} ${error.message}` : 'invalid';
    },
    upgrade: (value) => upgrade(value as Static<S>),
  };
}

export function createVersionedCodec<Current extends { version: number }>(
  kind: string,
  decoders: Record<number, VersionDecoder<Current>>,
) {
  return {
    decode(value: unknown): Current {
      if (typeof value !== 'object' || value === null) throw new SchemaDecodeError(kind, 'not an object');
      const version = (value as { version?: unknown }).version;
      const decoder = typeof version === 'number' ? decoders[version] : undefined;
      if (!decoder) throw new UnsupportedVersionError(kind, version);
      if (!decoder.check(value)) throw new SchemaDecodeError(kind, decoder.firstError(value));
      return decoder.upgrade(value);
    },
    decodeJson(text: string): Current {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new SchemaDecodeError(kind, `not JSON (${(error as Error).message})`);
      }
      return this.decode(parsed);
    },
  };
}
