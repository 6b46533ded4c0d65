import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Versioned decoding for control plane <-> agent messages.
 *
 * Agents run in users' clusters and lag the control plane by releases, so every message carries
 * `version`, and each version ever sent keeps a decoder here that upgrades it to the current shape.
 * Schemas do not forbid unknown properties: a newer sender may add optional fields, and an older
 * receiver must still read the message. Changing the meaning of a field is a new version.
 */
export class AgentMessageError extends Error {
  /** Also the Temporal ApplicationFailure type: non-retryable, since a retry sends the same bytes. */
  readonly code = 'AGENT_MESSAGE_INVALID';
  constructor(
    readonly kind: string,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'AgentMessageError';
  }
}

interface VersionDecoder<Current> {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
  upgrade(value: unknown): Current;
}

export function versionDecoder<S extends TSchema, Current>(schema: S, upgrade: (value: Static<S>) => Current): VersionDecoder<Current> {
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

export interface MessageCodec<Current> {
  decode(value: unknown): Current;
}

export function versionedCodec<Current extends { version: number }>(kind: string, decoders: Record<number, VersionDecoder<Current>>): MessageCodec<Current> {
  return {
    decode(value) {
      if (typeof value !== 'object' || value === null) throw new AgentMessageError(kind, 'not an object');
      const version = (value as { version?: unknown }).version;
      const decoder = typeof version === 'number' ? decoders[version] : undefined;
      if (!decoder) {
        throw new AgentMessageError(kind, `version ${String(version)} is not supported by this build; upgrade the agent or the control plane`);
      }
      if (!decoder.check(value)) throw new AgentMessageError(kind, decoder.firstError(value));
      return decoder.upgrade(value);
    },
  };
}
