import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { TemporalConfig } from './config.js';
import { havenDataConverter } from './data-converter.js';
import type { PayloadKeySource } from './payload-codec.js';

export interface TemporalClientHandle {
  client: Client;
  close(): Promise<void>;
}

/**
 * How often a request-serving client retries a call Temporal did not answer: the SDK's default (10
 * attempts, up to 5 s apart) held an API request about 20 s before it could say the engine is down.
 * Three tries about a second long in all ride out a frontend restart's blip and then answer 503.
 */
export const REQUEST_RETRY = { maxAttempts: 3, initialIntervalMs: () => 200, maxIntervalMs: () => 800 } as const;

/** A workflow client that encrypts what it sends and decrypts what it reads (payload-codec.ts). */
export async function connectTemporalClient(config: Pick<TemporalConfig, 'address' | 'namespace'>, keys: PayloadKeySource): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection, namespace: config.namespace, dataConverter: havenDataConverter(keys) });
  return { client, close: () => connection.close() };
}

/**
 * The same client for a process that serves requests (the API): it connects on first use, so the
 * process starts and answers whatever Temporal's state, and a call Temporal does not answer fails after
 * REQUEST_RETRY with the SDK's own error, which isEngineUnreachable recognises.
 */
export function lazyTemporalClient(config: Pick<TemporalConfig, 'address' | 'namespace'>, keys: PayloadKeySource): TemporalClientHandle {
  const connection = Connection.lazy({ address: config.address, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions(REQUEST_RETRY))] });
  const client = new Client({ connection, namespace: config.namespace, dataConverter: havenDataConverter(keys) });
  return { client, close: () => connection.close() };
}
