import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

/** Ports this process has handed out: two components of one `up` never get the same one. */
const handedOut = new Set<number>();

/**
 * A free loopback port below the kernel's ephemeral range. A port from that range (what listen(0) gives) is
 * free only until something connects somewhere: outgoing connections take their source ports from it, and
 * one took a kube-apiserver's port in the second between choosing it and binding it (CI failed to start the
 * stack). Below the range, nothing but a listener can take it.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = ephemeralPortRange()[0];
  const top = ephemeralLow - 1;
  const bottom = Math.max(10_000, top - 12_000);
  for (let attempt = 0; attempt < 64 && top > bottom; attempt++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom + 1));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return listen(0);
}

function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux: the IANA range
  }
  return [49152, 65535];
}

function canListen(port: number): Promise<boolean> {
  return listen(port).then(
    () => true,
    () => false,
  );
}

/** Listens on `port` (0: any) on loopback, closes, and gives the port. */
function listen(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolveOpen(false);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

/** Reuses the port a component had before a restart (clients keep working) unless someone else took it. */
export async function reusablePort(previous: number | undefined): Promise<number> {
  if (previous !== undefined && !(await portOpen(previous))) return previous;
  return freePort();
}
