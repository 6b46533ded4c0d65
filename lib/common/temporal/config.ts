import { parseKeyring, SecretKeyError, type SecretKeyring } from '../secrets.js';

/** How every Haven process (API, worker, agent) reaches Temporal; read once at start. */
export interface TemporalConfig {
  address: string;
  namespace: string;
  /** Keys of the payload codec (HAVEN_PAYLOAD_KEY): `<keyId>:<base64 32 bytes>`, comma-separated, first encrypts. */
  payloadKeyring: SecretKeyring;
  /** The control plane's task queue (workflows and control activities). */
  controlTaskQueue: string;
}

export const DEFAULT_TEMPORAL_NAMESPACE = 'default';
export const DEFAULT_CONTROL_TASK_QUEUE = 'control';

export class TemporalConfigError extends Error {
  override name = 'TemporalConfigError';
}

/** Same format and rotation rules as HAVEN_SECRET_KEY, but a separate key: history is not the database. */
export function parsePayloadKeyring(spec: string | undefined): SecretKeyring {
  try {
    return parseKeyring(spec);
  } catch (error) {
    // parseKeyring names the database key variable in its messages; say which variable is wrong here.
    if (error instanceof SecretKeyError) throw new TemporalConfigError(error.message.replaceAll('HAVEN_SECRET_KEY', 'HAVEN_PAYLOAD_KEY'));
    throw error;
  }
}

export function readTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const address = env.TEMPORAL_ADDRESS;
  if (!address) throw new TemporalConfigError('TEMPORAL_ADDRESS is not set (host:port of the Temporal frontend)');
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE || DEFAULT_TEMPORAL_NAMESPACE,
    payloadKeyring: parsePayloadKeyring(env.HAVEN_PAYLOAD_KEY),
    controlTaskQueue: env.HAVEN_CONTROL_TASK_QUEUE || DEFAULT_CONTROL_TASK_QUEUE,
  };
}
