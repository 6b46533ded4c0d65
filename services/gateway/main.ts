import { connectDatabase } from '../../lib/db/client.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { readConfigOrExit } from '../../lib/common/config-exit.js';
import { readGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { PrincipalResolver } from './principals.js';
import { gatewayMetrics } from './metrics.js';
import { startMetricsListener } from '../../lib/common/metrics/listener.js';
import { processRegistry } from '../../lib/common/metrics/registry.js';

// `tsx services/gateway/main.ts`: the agent gateway. Stops on SIGINT/SIGTERM.
// One tenant's call must never end the process every tenant goes through: report, keep serving.
process.on('unhandledRejection', (reason) => console.error(`[gateway] unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`));
const config = readConfigOrExit('gateway', () => readGatewayConfig());
const database = connectDatabase(config.databaseUrl);
const registry = processRegistry('gateway');
const metrics = gatewayMetrics(registry);
const gateway = await startGateway({
  upstream: config.temporalAddress,
  namespace: config.temporalNamespace,
  listen: config.listen,
  installationKeyring: config.installationKeyring,
  principals: new PrincipalResolver(database.db, config.installationKeyring),
  payloadKeys: new OrganizationPayloadKeys(database.db, config.installationKeyring),
  ...(config.tls ? { tls: config.tls } : {}),
  allowPlaintext: config.allowPlaintext,
  onRefused: (event) => {
    metrics.onRefused(event);
    console.warn(`[gateway] refused ${event.method} from ${event.principal}: ${event.reason}`);
  },
  onAnswered: metrics.onAnswered,
});
const metricsListener = config.metricsListen ? await startMetricsListener(registry, config.metricsListen) : undefined;
if (metricsListener) console.log(`Agent gateway metrics on http://${metricsListener.address}/metrics`);
console.log(`Agent gateway ${gateway.address}${config.tls ? ' (TLS)' : ''}, relaying to ${config.temporalAddress}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.close().then(() => metricsListener?.close()).then(() => database.close());
  });
}
