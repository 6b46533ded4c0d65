import { readFileSync } from 'node:fs';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import { DEFAULT_TEMPORAL_NAMESPACE, parsePayloadKeyring } from '../../lib/common/temporal/config.js';
import { metricsListenSetting, type MetricsListen } from '../../lib/common/metrics/listener.js';

/** Where clusters reach the gateway when nothing else is configured (Temporal's own port is 7233). */
export const DEFAULT_GATEWAY_LISTEN = '0.0.0.0:7243';

/** The gateway's environment, read once at start. */
export interface GatewayConfig {
  temporalAddress: string;
  temporalNamespace: string;
  databaseUrl: string;
  /** HAVEN_PAYLOAD_KEY: unwraps organizations' payload keys and signs task and mover tokens. */
  installationKeyring: SecretKeyring;
  listen: string;
  tls?: { certChain: Buffer; privateKey: Buffer };
  /** HAVEN_GATEWAY_ALLOW_PLAINTEXT=true: plaintext on a non-loopback address, behind a TLS-terminating proxy. */
  allowPlaintext: boolean;
  /** HAVEN_METRICS_LISTEN: where /metrics is served (never the port clusters reach); unset serves none. */
  metricsListen?: MetricsListen;
}

export class GatewayConfigError extends Error {
  override name = 'GatewayConfigError';
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new GatewayConfigError(`${variable}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  if (!env.TEMPORAL_ADDRESS) throw new GatewayConfigError('TEMPORAL_ADDRESS is not set (host:port of the Temporal frontend the gateway relays to)');
  if (!env.DATABASE_URL) throw new GatewayConfigError('DATABASE_URL is not set (the gateway checks agent tokens against the clusters table)');
  const cert = env.HAVEN_GATEWAY_TLS_CERT;
  const key = env.HAVEN_GATEWAY_TLS_KEY;
  if (Boolean(cert) !== Boolean(key)) throw new GatewayConfigError('HAVEN_GATEWAY_TLS_CERT and HAVEN_GATEWAY_TLS_KEY are set together (PEM files) or not at all');
  return {
    temporalAddress: env.TEMPORAL_ADDRESS,
    temporalNamespace: env.TEMPORAL_NAMESPACE || DEFAULT_TEMPORAL_NAMESPACE,
    databaseUrl: env.DATABASE_URL,
    installationKeyring: parsePayloadKeyring(env.HAVEN_PAYLOAD_KEY),
    listen: env.HAVEN_GATEWAY_LISTEN || DEFAULT_GATEWAY_LISTEN,
    ...(cert && key ? { tls: { certChain: readPem('HAVEN_GATEWAY_TLS_CERT', cert), privateKey: readPem('HAVEN_GATEWAY_TLS_KEY', key) } } : {}),
    allowPlaintext: env.HAVEN_GATEWAY_ALLOW_PLAINTEXT === 'true',
    ...metricsListenSetting(env, (message) => new GatewayConfigError(message)),
  };
}
