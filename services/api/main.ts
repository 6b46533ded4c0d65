import { LOG_REDACTIONS } from './app.js';
import { readConfig } from './config.js';
import { readConfigOrExit } from '../../lib/common/config-exit.js';
import { startApi } from './server.js';

const config = readConfigOrExit('api', () => readConfig());
const api = await startApi({
  config,
  logger: { level: config.logLevel, redact: { paths: LOG_REDACTIONS, censor: '[redacted]' } },
});
await api.app.listen({ port: config.port, host: config.host });
if (api.metricsAddress) api.app.log.info({ address: api.metricsAddress }, 'metrics served on their own listener');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    api.app.log.info({ signal }, 'shutting down');
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        api.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
