import { parseNetworkList } from './networks.js';
import { EndpointNetworks } from './storage-access/endpoints.js';

/**
 * Where the control plane may send notifications. Webhook URLs and SMTP hosts are a tenant's input, and
 * the worker connects to them: pointed at loopback, a private range or a metadata service, a webhook would
 * let a tenant probe the installation's own network. Only public addresses are reached, plus the CIDRs
 * of HAVEN_NOTIFICATION_PRIVATE_NETWORKS (an internal mail relay, a chat bridge). Checked when a channel is
 * saved and again at every connection, so a name that later resolves inward (DNS rebinding) is refused.
 */
export function notificationNetworks(env: NodeJS.ProcessEnv): EndpointNetworks {
  try {
    return EndpointNetworks.fromNetworks(parseNetworkList(env.HAVEN_NOTIFICATION_PRIVATE_NETWORKS), undefined, 'notifications');
  } catch (error) {
    throw new Error(`HAVEN_NOTIFICATION_PRIVATE_NETWORKS: ${(error as Error).message}`, { cause: error });
  }
}
