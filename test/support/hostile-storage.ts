import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the endpoint does with every request. */
export type HostileBehaviour =
  /** Accepts the connection, reads the request, never answers. */
  | 'hang'
  /** Answers 200 with a plausible head, then the body one byte every 200 ms, forever. */
  | 'trickle'
  /** Announces a 2 GiB body and streams it as fast as it is read. */
  | 'huge'
  /** Announces a 400 MiB body: within the bound of the largest object kind (an index), far past a header's. */
  | 'large'
  /** The same gigantic body, chunked (no Content-Length), which sends the data mover's backend to the SDK. */
  | 'huge-chunked'
  /** An HTML page from an internal web server: a banner and an internal address in the head and the body. */
  | 'html-banner'
  /** Not HTTP at all: the greeting of another service (SSH), with its host's internal address. */
  | 'raw-banner';

/** What the hostile answers carry that must never reach a tenant. */
export const BANNER = 'OpenSSH_9.6p1 db-internal-7';
export const INTERNAL_ADDRESS = '10.20.30.40';

export interface HostileStorage {
  endpoint: string;
  /** Requests (or connections, for raw-banner) it has seen. */
  requests(): number;
  close(): Promise<void>;
}

const TWO_GIB = 2 * 1024 ** 3;
const LARGE_BYTES = 400 * 1024 ** 2;

/** The body `huge`, `large` and `huge-chunked` announce and send. */
const BODY_BYTES: Partial<Record<HostileBehaviour, number>> = { huge: TWO_GIB, large: LARGE_BYTES, 'huge-chunked': TWO_GIB };

function answer(behaviour: Exclude<HostileBehaviour, 'raw-banner'>, request: IncomingMessage, response: ServerResponse, open: Set<NodeJS.Timeout>): void {
  if (behaviour === 'hang') return;
  if (behaviour === 'html-banner') {
    const page = `<html><head><title>${BANNER} at ${INTERNAL_ADDRESS}</title></head><body><h1>${BANNER}</h1><p>internal admin console, ${INTERNAL_ADDRESS}</p></body></html>`;
    response.writeHead(200, { 'content-type': 'text/html', server: `${BANNER} (${INTERNAL_ADDRESS})` }).end(page);
    return;
  }
  if (behaviour === 'trickle') {
    response.writeHead(200, { 'content-type': 'application/xml', 'content-length': '4096' });
    const timer = setInterval(() => response.write('<'), 200);
    open.add(timer);
    response.on('close', () => clearInterval(timer));
    return;
  }
  const length = BODY_BYTES[behaviour]!;
  response.writeHead(200, { 'content-type': 'application/xml', ...(behaviour === 'huge-chunked' ? {} : { 'content-length': String(length) }) });
  const block = Buffer.alloc(1024 * 1024, '<Contents><Key>x</Key></Contents>');
  let sent = 0;
  const pump = () => {
    while (sent < length && !response.destroyed) {
      sent += block.length;
      if (!response.write(block)) return void response.once('drain', pump);
    }
    response.end();
  };
  request.resume();
  pump();
}

/**
 * An endpoint that misbehaves as a tenant's could, on 127.0.0.1 (which the stack's installation allows for
 * storage): what the API's probe and the control plane must survive without hanging, filling memory or
 * repeating what it said.
 */
export async function startHostileStorage(behaviour: HostileBehaviour): Promise<HostileStorage> {
  let seen = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server =
    behaviour === 'raw-banner'
      ? createTcpServer((socket) => {
          seen += 1;
          socket.on('error', () => undefined);
          socket.end(`SSH-2.0-${BANNER} ${INTERNAL_ADDRESS}\r\n`);
        })
      : createHttpServer((request, response) => {
          seen += 1;
          response.on('error', () => undefined);
          answer(behaviour, request, response, timers);
        });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
