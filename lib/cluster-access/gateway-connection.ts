import type { NativeConnectionOptions } from '@temporalio/worker';
import { DEFAULT_TEMPORAL_NAMESPACE } from '../common/temporal/config.js';

/**
 * How an agent or a mover pod reaches Haven: the gateway's address, the Temporal namespace behind it,
 * and whether it speaks TLS (with a private CA's certificate when it is not publicly trusted). The
 * token is the caller's own and travels as Temporal's API key (`Authorization: Bearer`).
 */
export interface GatewaySettings {
  address: string;
  namespace: string;
  /** Absent: plaintext (development, or TLS terminated beside the agent). */
  tls?: { caCertPem?: string };
}

export class GatewaySettingsError extends Error {
  override name = 'GatewaySettingsError';
}

/** HAVEN_GATEWAY_ADDRESS, TEMPORAL_NAMESPACE, HAVEN_GATEWAY_TLS (`true`) and HAVEN_GATEWAY_CA_CERT (PEM, implies TLS). */
export function readGatewaySettings(env: NodeJS.ProcessEnv, setBy: string): GatewaySettings {
  const address = env.HAVEN_GATEWAY_ADDRESS;
  if (!address) throw new GatewaySettingsError(`HAVEN_GATEWAY_ADDRESS is not set: host:port of Haven's agent gateway (${setBy})`);
  const caCertPem = env.HAVEN_GATEWAY_CA_CERT;
  const tls = env.HAVEN_GATEWAY_TLS === 'true' || Boolean(caCertPem);
  return { address, namespace: env.TEMPORAL_NAMESPACE || DEFAULT_TEMPORAL_NAMESPACE, ...(tls ? { tls: caCertPem ? { caCertPem } : {} } : {}) };
}

/** The same settings as environment variables, for a pod the agent starts. */
export function gatewayEnv(settings: GatewaySettings): { name: string; value: string }[] {
  return [
    { name: 'HAVEN_GATEWAY_ADDRESS', value: settings.address },
    { name: 'TEMPORAL_NAMESPACE', value: settings.namespace },
    ...(settings.tls ? [{ name: 'HAVEN_GATEWAY_TLS', value: 'true' }] : []),
    ...(settings.tls?.caCertPem ? [{ name: 'HAVEN_GATEWAY_CA_CERT', value: settings.tls.caCertPem }] : []),
  ];
}

export function gatewayConnectionOptions(settings: GatewaySettings, token: string): NativeConnectionOptions {
  const tls = settings.tls ? (settings.tls.caCertPem ? { serverRootCACertificate: Buffer.from(settings.tls.caCertPem) } : true) : false;
  return { address: settings.address, apiKey: token, tls };
}
