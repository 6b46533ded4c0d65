import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from './config.js';
import { havenDataConverter } from './data-converter.js';

export interface TemporalClientHandle {
  client: Client;
  close(): Promise<void>;
}

/** A workflow client that encrypts what it sends and decrypts what it reads (payload-codec.ts). */
export async function connectTemporalClient(config: TemporalConfig): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection, namespace: config.namespace, dataConverter: havenDataConverter(config.payloadKeyring) });
  return { client, close: () => connection.close() };
}
