import { parseNetworkList } from '../networks.js';
import { EndpointNetworks } from './endpoints.js';

/**
 * How the control plane may reach tenants' storage, from the installation's environment, read once:
 * - HAVEN_STORAGE_PRIVATE_NETWORKS: comma-separated CIDRs where S3 endpoints may be although internal (the
 *   local stack allows loopback, where its S3 servers listen); elsewhere only public addresses.
 * - HAVEN_ALLOW_AMBIENT_S3_CREDENTIALS=true: a target without keys may be reached with the control plane's
 *   own credentials (IAM role); otherwise a tenant could borrow them for a bucket of its choosing.
 * - HAVEN_FILESYSTEM_TARGETS_ROOT: where filesystem targets live, one directory per organization; unset,
 *   there are none.
 */
export interface StorageAccessPolicy {
  endpoints: EndpointNetworks;
  allowAmbientCredentials: boolean;
  filesystemRoot: string | undefined;
}

export function storageAccessPolicy(env: NodeJS.ProcessEnv): StorageAccessPolicy {
  let endpoints: EndpointNetworks;
  try {
    endpoints = EndpointNetworks.fromNetworks(parseNetworkList(env.HAVEN_STORAGE_PRIVATE_NETWORKS));
  } catch (error) {
    throw new Error(`HAVEN_STORAGE_PRIVATE_NETWORKS: ${(error as Error).message}`, { cause: error });
  }
  const root = env.HAVEN_FILESYSTEM_TARGETS_ROOT?.trim();
  if (root && !root.startsWith('/')) throw new Error(`HAVEN_FILESYSTEM_TARGETS_ROOT "${root}" is not an absolute path`);
  return { endpoints, allowAmbientCredentials: env.HAVEN_ALLOW_AMBIENT_S3_CREDENTIALS === 'true', filesystemRoot: root || undefined };
}
