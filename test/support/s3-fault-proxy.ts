import { createServer, request as upstreamRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SeededRandom } from './seeded-random.js';

/** What the proxy does to one request, each at its own rate (shares of requests, 0 to 1). */
export interface S3FaultRates {
  /** Answers 503 SlowDown or 500 InternalError without asking the server. */
  serverError: number;
  /** Resets the connection: half before the server saw the request, half after it acted on it (the answer is lost). */
  reset: number;
  /** Sends the server's head and part of its body, then resets: a body cut short. */
  truncate: number;
  /** Relays the answer at `slowBytesPerSecond`. */
  slow: number;
}

export const S3_FAULT_KINDS = ['serverError', 'reset', 'truncate', 'slow'] as const;
export type S3FaultKind = (typeof S3_FAULT_KINDS)[number];

export interface S3FaultProxy {
  /** `http://127.0.0.1:<port>`: give clients this instead of the server's endpoint. */
  endpoint: string;
  /** Requests seen, and faults injected by kind. */
  counts(): { requests: number } & Record<S3FaultKind, number>;
  /** Changes the rates (all zero: a clean link) from the next request on. */
  setRates(rates: Partial<S3FaultRates>): void;
  close(): Promise<void>;
}

const NO_FAULTS: S3FaultRates = { serverError: 0, reset: 0, truncate: 0, slow: 0 };
const DEFAULT_SLOW_BYTES_PER_SECOND = 256 * 1024;

const errorBody = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error>`;

/**
 * An HTTP proxy in front of an S3 server that misbehaves at set rates, from a seed so a failure replays.
 * Requests are relayed with their own headers (the Host the client signed included), so SigV4 holds.
 */
export async function startS3FaultProxy(serverEndpoint: string, options: { rates?: Partial<S3FaultRates>; seed?: number; slowBytesPerSecond?: number } = {}): Promise<S3FaultProxy> {
  const upstream = new URL(serverEndpoint);
  const random = new SeededRandom(options.seed ?? 1);
  const slowRate = options.slowBytesPerSecond ?? DEFAULT_SLOW_BYTES_PER_SECOND;
  let rates: S3FaultRates = { ...NO_FAULTS, ...options.rates };
  const counts = { requests: 0, serverError: 0, reset: 0, truncate: 0, slow: 0 };
  const sockets = new Set<Socket>();

  const draw = (): S3FaultKind | undefined => {
    let roll = random.next();
    for (const kind of S3_FAULT_KINDS) {
      if (roll < rates[kind]) return kind;
      roll -= rates[kind];
    }
    return undefined;
  };

  const relay = (request: IncomingMessage, answer: (upstreamResponse: IncomingMessage) => void, failed: () => void) => {
    const forwarded = upstreamRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      answer,
    );
    forwarded.on('error', failed);
    request.pipe(forwarded);
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    counts.requests++;
    const fault = draw();
    if (fault) counts[fault]++;
    const reset = () => request.socket.resetAndDestroy();
    if (fault === 'serverError') {
      request.resume();
      request.on('end', () => {
        const throttled = random.next() < 0.5;
        response.writeHead(throttled ? 503 : 500, { 'content-type': 'application/xml' }).end(errorBody(throttled ? 'SlowDown' : 'InternalError'));
      });
      return;
    }
    if (fault === 'reset' && random.next() < 0.5) {
      reset();
      return;
    }
    relay(request, (answer) => {
      if (fault === 'reset') {
        answer.resume();
        answer.on('end', reset);
        return;
      }
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      const length = Number(answer.headers['content-length'] ?? 0);
      if (fault === 'truncate') {
        // Half the body (nothing, for an empty one), then the connection drops.
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          const room = Math.floor(length / 2) - sent;
          if (room > 0) response.write(chunk.subarray(0, room));
          sent += chunk.length;
          if (sent >= length / 2) {
            answer.destroy();
            reset();
          }
        });
        answer.on('end', reset);
        return;
      }
      if (fault === 'slow') {
        answer.on('data', (chunk: Buffer) => {
          answer.pause();
          response.write(chunk);
          setTimeout(() => answer.resume(), (chunk.length / slowRate) * 1000);
        });
        answer.on('end', () => response.end());
        return;
      }
      answer.pipe(response);
    }, reset);
  };

  const server = createServer(handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ ...counts }),
    setRates: (changed) => {
      rates = { ...rates, ...changed };
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
