import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../../services/datamover/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../services/datamover/storage/retry.js';
import { S3Backend, type S3TargetConfig } from '../../services/datamover/storage/s3-backend.js';
import { S3RangedGet, UnsupportedResponseError } from '../../services/datamover/storage/s3-ranged-get.js';
import { stackEnv } from '../support/stack-env.js';

function target(prefix: string): S3TargetConfig {
  return {
    bucket: stackEnv('S3_BUCKET'),
    prefix,
    region: 'us-east-1',
    endpoint: stackEnv('S3_ENDPOINT'),
    forcePathStyle: true,
    accessKeyId: stackEnv('S3_ACCESS_KEY_ID'),
    secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY'),
  };
}

describe('ranged reads into caller memory over plain HTTP, against the real S3 server', () => {
  it('return the same bytes as the SDK, for keys that need escaping, and reuse one buffer', async () => {
    const backend = new S3Backend(target(`datamover-test/${randomUUID()}/with space+ünïcode`));
    const object = randomBytes(3 * 1024 * 1024 + 17);
    await backend.put('packs/a (1)*', object);
    const memory = new Uint8Array(new SharedArrayBuffer(2 * 1024 * 1024));
    for (const [offset, length] of [[0, 1], [5, 1024 * 1024], [object.length - 2 * 1024 * 1024, 2 * 1024 * 1024]] as const) {
      const viaSdk = await backend.get('packs/a (1)*', { offset, length });
      const viaPlainHttp = await backend.get('packs/a (1)*', { offset, length, into: memory });
      expect(viaPlainHttp.buffer).toBe(memory.buffer);
      expect(Buffer.compare(viaPlainHttp, viaSdk)).toBe(0);
      expect(Buffer.compare(viaPlainHttp, object.subarray(offset, offset + length))).toBe(0);
    }
  });

  it('a missing object is ObjectNotFoundError, as through the SDK', async () => {
    const backend = new S3Backend(target(`datamover-test/${randomUUID()}`));
    await expect(backend.get('packs/none', { offset: 0, length: 10, into: new Uint8Array(10) })).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('wrong credentials are refused by the server, not retried', async () => {
    const backend = new S3Backend({ ...target(`datamover-test/${randomUUID()}`), secretAccessKey: 'not-the-secret' });
    const failure = await backend.get('packs/x', { offset: 0, length: 10, into: new Uint8Array(10) }).catch((error: unknown) => error);
    expect((failure as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
  });
});

/** Answers each request with the next scripted reply (raw bytes, or a function of the socket). */
async function scriptedServer(replies: ((socket: Socket) => void)[]): Promise<{ server: Server; endpoint: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    let pending = '';
    socket.on('data', (data: Buffer) => {
      pending += data.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        const end = pending.indexOf('\r\n\r\n');
        requests.push(pending.slice(0, end));
        pending = pending.slice(end + 4);
        const reply = replies.shift();
        if (reply) reply(socket);
        else socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, endpoint: `http://127.0.0.1:${port}`, requests };
}

const credentials = () => Promise.resolve({ accessKeyId: 'AKID', secretAccessKey: 'secret' });

describe('ranged reads over plain HTTP: framing the real server does not produce on demand', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));
  let body: Buffer;
  beforeAll(() => {
    body = randomBytes(700_000);
  });

  it('a connection dropped mid-body is retried on a new connection; keep-alive sockets are reused', async () => {
    const partial = (socket: Socket) => {
      socket.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.end(body.subarray(0, 1000));
    };
    const whole = (socket: Socket) => socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    const { server, endpoint, requests } = await scriptedServer([partial, whole, whole]);
    servers.push(server);
    const backend = new S3Backend(
      { bucket: 'b', prefix: 'p', region: 'us-east-1', endpoint, forcePathStyle: true, accessKeyId: 'AKID', secretAccessKey: 'secret' },
      undefined,
      { ...DEFAULT_RETRY_POLICY, sleep: () => Promise.resolve() },
    );
    const into = new Uint8Array(body.length);
    expect(Buffer.compare(await backend.get('k', { offset: 0, length: body.length, into }), body)).toBe(0);
    expect(Buffer.compare(await backend.get('k', { offset: 0, length: body.length, into }), body)).toBe(0);
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatch(/^GET \/b\/p\/k HTTP\/1\.1/);
    expect(requests[0]).toMatch(/\r\nrange: bytes=0-699999/i);
    expect(requests[0]).toMatch(/\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKID\//i);
  });

  it('a chunked body is not read here: UnsupportedResponseError, so the backend goes back to the SDK', async () => {
    const { server, endpoint } = await scriptedServer([(socket) => socket.write('HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')]);
    servers.push(server);
    const get = new S3RangedGet({ endpoint, bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials });
    await expect(get.get('k', 0, 5, new Uint8Array(5))).rejects.toBeInstanceOf(UnsupportedResponseError);
    get.close();
  });

  it('an S3 error answer keeps its code and status (what retries classify by), and the connection stays usable', async () => {
    const slowDown = (socket: Socket) => {
      const xml = '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>';
      socket.write(`HTTP/1.1 503 Service Unavailable\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`);
    };
    const ok = (socket: Socket) => socket.write(Buffer.concat([Buffer.from('HTTP/1.1 206 Partial Content\r\nContent-Length: 4\r\n\r\n'), Buffer.from('data')]));
    const { server, endpoint, requests } = await scriptedServer([slowDown, ok]);
    servers.push(server);
    const get = new S3RangedGet({ endpoint, bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials });
    const failure = await get.get('k', 0, 4, new Uint8Array(4)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    expect((await get.get('k', 0, 4, new Uint8Array(4))).toString()).toBe('data');
    expect(requests).toHaveLength(2);
    get.close();
  });
});
