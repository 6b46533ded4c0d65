import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Versioned decoding shared by every message family in `proto/` (repository format, agent contracts).
 * Each message carries `version`; every version ever written keeps a decoder that checks it against its
 * schema and upgrades it to the current shape. A family supplies its own typed errors.
 */
export interface VersionDecoder<Current> {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
  upgrade(value: unknown): Current;
}

/** Registers one historical version: its schema and how it becomes the current shape. */
export function versionDecoder<S extends TSchema, Current>(schema: S, upgrade: (value: Static<S>) => Current): VersionDecoder<Current> {
  // Compiled on first use: compiling every schema at import would cost each process start hundreds of ms.
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

export interface CodecErrors {
  invalid(kind: string, detail: string): Error;
  unsupported(kind: string, version: unknown): Error;
}

export interface VersionedCodec<Current> {
  decode(value: unknown): Current;
  decodeJson(text: string): Current;
}

export function versionedCodec<Current extends { version: number }>(
  kind: string,
  decoders: Record<number, VersionDecoder<Current>>,
  errors: CodecErrors,
): VersionedCodec<Current> {
  const decode = (value: unknown): Current => {
    if (typeof value !== 'object' || value === null) throw errors.invalid(kind, 'not an object');
    const version = (value as { version?: unknown }).version;
    const decoder = typeof version === 'number' ? decoders[version] : undefined;
    if (!decoder) throw errors.unsupported(kind, version);
    if (!decoder.check(value)) throw errors.invalid(kind, decoder.firstError(value));
    return decoder.upgrade(value);
  };
  return {
    decode,
    decodeJson(text) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw errors.invalid(kind, `not JSON (${(error as Error).message})`);
      }
      return decode(parsed);
    },
  };
}
