import { versionDecoder, versionedCodec as sharedVersionedCodec, type CodecErrors, type VersionDecoder, type VersionedCodec } from '../versioned-codec.js';

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

export { versionDecoder };

export type MessageCodec<Current> = VersionedCodec<Current>;

const agentErrors: CodecErrors = {
  invalid: (kind, detail) => new AgentMessageError(kind, detail),
  unsupported: (kind, version) =>
    new AgentMessageError(kind, `version ${String(version)} is not supported by this build; upgrade the agent or the control plane`),
};

export function versionedCodec<Current extends { version: number }>(kind: string, decoders: Record<number, VersionDecoder<Current>>): MessageCodec<Current> {
  return sharedVersionedCodec(kind, decoders, agentErrors);
}
