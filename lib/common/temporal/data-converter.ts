import type { DataConverter } from '@temporalio/common';
import type { SecretKeyring } from '../secrets.js';
import { EncryptionCodec } from './payload-codec.js';

/** The one data converter every Haven client and worker uses: default JSON, then encryption. */
export function havenDataConverter(payloadKeyring: SecretKeyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(payloadKeyring)] };
}
