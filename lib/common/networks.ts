import { isIPv4, isIPv6 } from 'node:net';

/** An address range as the installation writes it in its settings: `10.0.0.0/8`, `fd00::/8`, or one address. */
export interface Network {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses one CIDR (a bare address is that one host); throws naming the text when it is not one. */
export function parseNetwork(cidr: string): Network {
  const [address, bits] = cidr.split('/');
  const family = address && isIPv6(address) ? 'ipv6' : 'ipv4';
  const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
  if (!address || !(isIPv4(address) || isIPv6(address)) || bits === '' || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
    throw new Error(`"${cidr}" is not a network in CIDR form (e.g. 10.0.0.0/8)`);
  }
  return { address, prefix, family };
}

/** A comma-separated list of CIDRs, as settings hold them; empty or unset is no network. */
export function parseNetworkList(text: string | undefined): Network[] {
  return (text ?? '').split(',').map((cidr) => cidr.trim()).filter(Boolean).map(parseNetwork);
}
