import { versionDecoder, versionedCodec as sharedVersionedCodec, type CodecErrors, type VersionDecoder, type VersionedCodec } from '../versioned-codec.js';

/**
 * Versioned decoding for data-mover messages: control plane <-> agent (mover pods and temporary
 * claims) and control plane <-> mover pod (copy and restore activities). Agents and their mover pods
 * lag the control plane by releases, so the rules of `proto/agent` apply: optional additions are free,
 * any other change is a new version that keeps its old decoder and golden fixture.
 */
export class MoverMessageError extends Error {
  /** Also the Temporal ApplicationFailure type: non-retryable, since a retry sends the same bytes. */
  readonly code = 'MOVER_MESSAGE_INVALID';
  constructor(
    readonly kind: string,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'MoverMessageError';
  }
}

export { versionDecoder };

const moverErrors: CodecErrors = {
  invalid: (kind, detail) => new MoverMessageError(kind, detail),
  unsupported: (kind, version) =>
    new MoverMessageError(kind, `version ${String(version)} is not supported by this build; upgrade the agent (its mover pods use the agent's image) or the control plane`),
};

export function versionedCodec<Current extends { version: number }>(kind: string, decoders: Record<number, VersionDecoder<Current>>): VersionedCodec<Current> {
  return sharedVersionedCodec(kind, decoders, moverErrors);
}
