import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Transform } from 'node:stream';

/**
 * A TCP proxy in front of a server (an S3 endpoint of the stack), passing everything at full speed until
 * `throttle` slows what the server sends back: a slow link, so that a transfer which would otherwise end
 * before anyone could watch it runs long enough to be read while it runs. Signed requests pass unchanged
 * (the client signs the proxy's host, which the server checks against the Host header it receives).
 */
export interface SlowLink {
  /** `http://127.0.0.1:<port>`: the endpoint to give clients instead of the server's. */
  endpoint: string;
  /** At most this many bytes per second from the server, shared by every connection; null: full speed. */
  throttle(bytesPerSecond: number | null): void;
  close(): Promise<void>;
}

export async function startSlowLink(serverEndpoint: string): Promise<SlowLink> {
  const server = new URL(serverEndpoint);
  let rate: number | null = null;
  // When the link has sent everything handed to it so far: each chunk waits for the ones before it.
  let busyUntil = 0;
  const sockets = new Set<Socket>();
  const slowed = () =>
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (rate === null) return done(null, chunk);
        const now = Date.now();
        busyUntil = Math.max(now, busyUntil) + (chunk.length / rate) * 1000;
        setTimeout(() => done(null, chunk), busyUntil - now);
      },
    });
  const proxy = createServer((client) => {
    const upstream = connect(Number(server.port), server.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(slowed()).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    throttle: (bytesPerSecond) => {
      rate = bytesPerSecond;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
