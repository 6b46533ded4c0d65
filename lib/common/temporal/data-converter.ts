import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, type PayloadKeySource } from './payload-codec.js';

/** Bundled into the workflows too (services/worker/workflow-bundle.ts): workflow code seals its own failures. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

/**
 * The one data converter of the control plane (API, worker): default JSON, then encryption. Failure
 * messages and stack traces are sealed too (failure-converter.ts), so a hook's stderr or an error naming
 * a secret never reaches the history in clear; the Temporal UI shows them through the codec endpoint.
 */
export function havenDataConverter(keys: PayloadKeySource): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
