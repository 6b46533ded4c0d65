import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that the crash suite can take down: `outage` resets every open
 * connection and refuses new ones for a while, which is what clients see of a server restart. Used for
 * Postgres inside `npm test`, whose Postgres other test files share and which must not really restart.
 */
export interface OutageProxy {
  /** `127.0.0.1:<port>`: give clients this instead of the server's address. */
  address: string;
  port: number;
  outage(downtimeMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageProxy(upstreamHost: string, upstreamPort: number): Promise<OutageProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const handler = (client: Socket) => {
    const upstream = connect(upstreamPort, upstreamHost);
    for (const socket of [client, upstream]) {
      track(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    address: `127.0.0.1:${port}`,
    port,
    async outage(downtimeMs) {
      const closing = closeServer();
      for (const socket of sockets) socket.resetAndDestroy();
      await closing;
      await new Promise((resolve) => setTimeout(resolve, downtimeMs));
      server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeServer();
    },
  };
}
