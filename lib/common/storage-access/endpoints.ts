import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIPv4, isIPv6, type LookupFunction } from 'node:net';
import type { Network } from '../networks.js';

/**
 * Address ranges that are not the public internet: loopback, private, carrier-grade NAT, link-local
 * (cloud metadata services live there), multicast and reserved. A storage endpoint is a tenant's input,
 * and the control plane connects to it (probes, retention, GC): pointed at one of these it would reach
 * the installation's own network.
 */
const INTERNAL_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const INTERNAL_V6: [string, number][] = [
  // The unspecified and loopback addresses, and IPv4-compatible ones (::a.b.c.d, deprecated but routed by some stacks).
  ['::', 96],
  ['::1', 128],
  // NAT64: the well-known prefix and local-use ones translate to whatever IPv4 address they embed.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  // 6to4 embeds an IPv4 address too.
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];

/** Every address a host name resolves to, as `dns.lookup` with `all: true` answers. */
export type NameResolver = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: NameResolver = (hostname, options, callback) => systemLookup(hostname, { ...options, all: true }, callback);

function refusedInternal(purpose: string): string {
  return `the endpoint is on a private, loopback or link-local address, which this installation does not allow for ${purpose}`;
}

/** The control plane must not reach this storage; the message is fit for the tenant to read. */
export class StorageAccessRefusedError extends Error {
  override name = 'StorageAccessRefusedError';
}

function blockList(ranges: [string, number][], family: 'ipv4' | 'ipv6', into = new BlockList()): BlockList {
  for (const [network, prefix] of ranges) into.addSubnet(network, prefix, family);
  return into;
}

const internal = blockList(INTERNAL_V6, 'ipv6', blockList(INTERNAL_V4, 'ipv4'));

/** An IPv4 address written as IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it is. */
function plainAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIPv4(address) ? 'ipv4' : 'ipv6' };
}

/**
 * Which storage endpoints the control plane may connect to: public addresses always, internal ones only
 * inside the networks the installation allows. Every address a name resolves to is checked, so a name
 * cannot smuggle in an internal address beside a public one. A name can resolve differently a moment
 * later (DNS rebinding), and a virtual-hosted bucket is reached under another name than the endpoint's:
 * `lookup` is what connections resolve with, so the address actually dialled passes the same check.
 */
export class EndpointNetworks {
  private constructor(
    private readonly allowed: BlockList,
    private readonly resolve: NameResolver,
    private readonly purpose: string,
  ) {}

  /**
   * `resolve` is the system's resolver; tests give a name the answers a rebinding DNS server would.
   * `purpose` names what the endpoints are for in refusals (storage, notifications).
   */
  static fromNetworks(networks: readonly Network[], resolve: NameResolver = systemResolver, purpose = 'storage'): EndpointNetworks {
    const allowed = new BlockList();
    for (const { address, prefix, family } of networks) allowed.addSubnet(address, prefix, family);
    return new EndpointNetworks(allowed, resolve, purpose);
  }

  private refuses(raw: string): boolean {
    const { address, family } = plainAddress(raw);
    return internal.check(address, family) && !this.allowed.check(address, family);
  }

  /**
   * A resolver for `net.connect` and HTTP agents: resolves as the system does and fails the connection
   * when any address of the name is one this installation does not allow.
   */
  readonly lookup: LookupFunction = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    this.resolve(hostname, options, (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.some((entry) => this.refuses(entry.address))) return callback(new StorageAccessRefusedError(refusedInternal(this.purpose)), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };

  private resolveAll(hostname: string): Promise<LookupAddress[]> {
    return new Promise((resolve, reject) => this.resolve(hostname, { verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
  }

  /** Throws StorageAccessRefusedError, saying why in words a tenant may read, when the control plane must not connect. */
  async check(endpoint: string): Promise<void> {
    let host: string;
    try {
      host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    } catch {
      throw new StorageAccessRefusedError('the endpoint is not a URL');
    }
    let addresses: string[];
    try {
      addresses = isIPv4(host) || isIPv6(host) ? [host] : (await this.resolveAll(host)).map((entry) => entry.address);
    } catch {
      throw new StorageAccessRefusedError(`the endpoint's host name "${host}" does not resolve`);
    }
    if (addresses.some((address) => this.refuses(address))) throw new StorageAccessRefusedError(refusedInternal(this.purpose));
  }
}
