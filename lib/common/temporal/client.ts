import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from './config.js';
import { havenDataConverter } from './data-converter.js';
import type { PayloadKeySource } from './payload-codec.js';

export interface TemporalClientHandle {
  client: Client;
  close(): Promise<void>;
}

/** A workflow client that encrypts what it sends and decrypts what it reads (payload-codec.ts). */
export async function connectTemporalClient(config: Pick<TemporalConfig, 'address' | 'namespace'>, keys: PayloadKeySource): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection, namespace: config.namespace, dataConverter: havenDataConverter(keys) });
  return { client, close: () => connection.close() };
}
