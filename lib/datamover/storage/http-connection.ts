import { connect, type LookupFunction, type Socket } from 'node:net';
import { StorageAnswerNotS3Error, StorageAnswerTooLargeError, StorageTimeoutError } from '../errors.js';
import type { StorageRequestLimits } from './request-limits.js';
import { responseError } from './s3-answers.js';

/**
 * HTTP/1.1 exchanges for S3PlainHttp, read with `onread`: every socket reads into one buffer of its own, and
 * a body is copied from there straight into its target (the caller's memory, or one buffer of the announced
 * length). Fresh buffers per socket read are what made the SDK's garbage.
 */

const READ_BUFFER_BYTES = 256 * 1024;
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface PlainResponse {
  status: number;
  /** Lower-case names. */
  headers: Map<string, string>;
  body: Buffer;
}

/** A response this client does not handle (no Content-Length): the caller goes back to the SDK. */
export class UnsupportedResponseError extends Error {
  override name = 'UnsupportedResponseError';
}

/** What one exchange may take: its deadline and the largest successful body it reads. */
export interface ExchangeBounds {
  /** The S3 operation, for messages. */
  operation: string;
  maxBytes: number;
}

interface Exchange {
  method: string;
  bounds: ExchangeBounds;
  deadline: NodeJS.Timeout;
  into: Uint8Array | undefined;
  target?: Buffer;
  head: Buffer[];
  headBytes: number;
  status?: number;
  headers?: Map<string, string>;
  contentLength?: number;
  keepAlive?: boolean;
  received: number;
  errorBody: Buffer[];
  resolve: (response: PlainResponse) => void;
  reject: (error: Error) => void;
}

const EMPTY = Buffer.alloc(0);
const HTTP_START = 'HTTP/1.';

/** One socket with its read buffer; at most one exchange at a time (no pipelining). */
export class Connection {
  readonly socket: Socket;
  private exchange: Exchange | undefined;
  private readonly buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);

  /** The server closed it (or it failed): never handed out again. */
  closed = false;

  constructor(
    host: string,
    port: number,
    private readonly limits: StorageRequestLimits,
    private readonly onIdle: (connection: Connection) => void,
    lookup?: LookupFunction,
  ) {
    this.socket = connect({ host, port, ...(lookup ? { lookup } : {}), onread: { buffer: this.buffer, callback: (bytes) => this.receive(bytes) } });
    this.socket.setNoDelay(true);
    const connecting = setTimeout(() => this.socket.destroy(new StorageTimeoutError(this.exchange?.bounds.operation ?? 'a request', limits.connectTimeoutMs, 'connect')), limits.connectTimeoutMs);
    this.socket.once('connect', () => clearTimeout(connecting));
    this.socket.once('close', () => clearTimeout(connecting));
    this.socket.setTimeout(limits.idleTimeoutMs, () => this.socket.destroy(new StorageTimeoutError(this.exchange?.bounds.operation ?? 'a request', limits.idleTimeoutMs, 'answer')));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => {
      this.closed = true;
      this.fail(Object.assign(new Error('S3 connection closed before the response ended'), { code: 'ECONNRESET' }));
    });
  }

  request(method: string, head: string, body: Uint8Array | undefined, into: Uint8Array | undefined, bounds: ExchangeBounds): Promise<PlainResponse> {
    return new Promise((resolve, reject) => {
      // From sending to the last byte: an answer trickled slower than the idle timeout still ends here.
      const deadline = setTimeout(() => this.finish(new StorageTimeoutError(bounds.operation, this.limits.requestDeadlineMs, 'answer')), this.limits.requestDeadlineMs);
      this.exchange = { method, bounds, deadline, into, head: [], headBytes: 0, received: 0, errorBody: [], resolve, reject };
      if (body && body.length > 0) {
        this.socket.cork();
        this.socket.write(head);
        this.socket.write(body);
        this.socket.uncork();
      } else {
        this.socket.write(head);
      }
    });
  }

  private receive(bytes: number): boolean {
    const exchange = this.exchange;
    if (!exchange) {
      this.socket.destroy();
      return false;
    }
    let data: Buffer = this.buffer.subarray(0, bytes);
    if (exchange.status === undefined) {
      // Headers are small and rare: copied out of the reused buffer until they are complete.
      exchange.head.push(Buffer.from(data));
      exchange.headBytes += bytes;
      const head = exchange.head.length === 1 ? exchange.head[0]! : Buffer.concat(exchange.head);
      exchange.head = [head];
      // Another service greets first (SSH, SMTP, a database) and may hang up: known from its first bytes.
      if (!HTTP_START.startsWith(head.subarray(0, HTTP_START.length).toString('latin1'))) return this.finish(new StorageAnswerNotS3Error(exchange.bounds.operation));
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (exchange.headBytes > MAX_HEAD_BYTES) this.finish(new StorageAnswerTooLargeError(exchange.bounds.operation, MAX_HEAD_BYTES));
        return true;
      }
      const parsed = this.parseHead(exchange, head.subarray(0, end).toString('latin1'));
      if (parsed) return this.finish(parsed);
      data = head.subarray(end + 4);
      if (exchange.contentLength === 0) return this.finish();
    }
    if (succeeded(exchange.status!)) {
      if (exchange.received + data.length > exchange.contentLength!) return this.finish(new Error('S3 response body longer than its Content-Length'));
      data.copy(exchange.target!, exchange.received);
    } else if (exchange.received < MAX_ERROR_BODY_BYTES) {
      exchange.errorBody.push(Buffer.from(data));
    }
    exchange.received += data.length;
    if (exchange.received === exchange.contentLength) this.finish();
    return true;
  }

  /** Returns an error to end the exchange with, if the head does not allow going on. */
  private parseHead(exchange: Exchange, head: string): Error | undefined {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    // Never quoted: whatever listens there (an SSH or database banner) is not the tenant's to read.
    if (!status) return new StorageAnswerNotS3Error(exchange.bounds.operation);
    exchange.status = Number(status[2]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    exchange.headers = headers;
    const connection = headers.get('connection')?.toLowerCase() ?? (status[1] === '1' ? 'keep-alive' : 'close');
    exchange.keepAlive = connection !== 'close';
    const encoding = headers.get('transfer-encoding');
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return new UnsupportedResponseError(`transfer-encoding ${encoding}`);
    // A HEAD answer's Content-Length describes the object, not a body; 204 and 304 never have one.
    if (exchange.method === 'HEAD' || exchange.status === 204 || exchange.status === 304) exchange.contentLength = 0;
    else if (headers.has('content-length')) exchange.contentLength = Number(headers.get('content-length'));
    if (exchange.contentLength === undefined || !Number.isSafeInteger(exchange.contentLength)) return new UnsupportedResponseError('no Content-Length');
    // Refused before anything is allocated for it: the announced length is the endpoint's word.
    const limit = succeeded(exchange.status) ? exchange.bounds.maxBytes : this.limits.maxAnswerBytes;
    if (exchange.contentLength > limit) return new StorageAnswerTooLargeError(exchange.bounds.operation, limit);
    if (succeeded(exchange.status)) {
      const into = exchange.into;
      if (into && exchange.contentLength > into.length) return new Error(`S3 sent ${exchange.contentLength} bytes for a read of ${into.length}`);
      exchange.target = into ? Buffer.from(into.buffer, into.byteOffset, exchange.contentLength) : Buffer.allocUnsafe(exchange.contentLength);
    }
    return undefined;
  }

  private finish(error?: Error): boolean {
    const exchange = this.exchange;
    if (!exchange) return false;
    this.exchange = undefined;
    clearTimeout(exchange.deadline);
    if (error) {
      this.socket.destroy();
      exchange.reject(error);
      return false;
    }
    const status = exchange.status!;
    if (succeeded(status)) {
      const body = exchange.target ? exchange.target.subarray(0, exchange.received) : EMPTY;
      exchange.resolve({ status, headers: exchange.headers!, body });
    } else {
      exchange.reject(responseError(exchange.method, status, Buffer.concat(exchange.errorBody).toString('utf8')));
    }
    if (exchange.keepAlive) this.onIdle(this);
    else this.socket.destroy();
    return true;
  }

  private fail(error: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    if (exchange) clearTimeout(exchange.deadline);
    exchange?.reject(error);
  }
}

function succeeded(status: number): boolean {
  return status >= 200 && status < 300;
}
