import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError } from '../../lib/datamover/errors.js';
import { UnsupportedResponseError } from '../../lib/datamover/storage/http-connection.js';
import { DEFAULT_RETRY_POLICY } from '../../lib/datamover/storage/retry.js';
import { S3Backend, type S3TargetConfig } from '../../lib/datamover/storage/s3-backend.js';
import { S3PlainHttp } from '../../lib/datamover/storage/s3-plain-http.js';
import { sdkOperations } from '../../lib/datamover/storage/s3-sdk-operations.js';
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

describe('S3 over plain HTTP, against the real S3 server', () => {
  it('return the same bytes as the SDK, for keys that need escaping, and reuse one buffer', async () => {
    const config = target(`datamover-test/${randomUUID()}/with space+ünïcode`);
    const backend = new S3Backend(config);
    const viaTheSdk = new S3Backend(config, sdkOperations(config));
    const object = randomBytes(3 * 1024 * 1024 + 17);
    await backend.put('packs/a (1)*', object);
    const memory = new Uint8Array(new SharedArrayBuffer(2 * 1024 * 1024));
    for (const [offset, length] of [[0, 1], [5, 1024 * 1024], [object.length - 2 * 1024 * 1024, 2 * 1024 * 1024]] as const) {
      const viaSdk = await viaTheSdk.get('packs/a (1)*', { offset, length });
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

/** Answers each request with the next scripted reply (a function of the socket); request bodies are read by Content-Length. */
async function scriptedServer(replies: ((socket: Socket) => void)[]): Promise<{ server: Server; endpoint: string; requests: string[]; bodies: Buffer[] }> {
  const requests: string[] = [];
  const bodies: Buffer[] = [];
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        requests.push(head);
        bodies.push(pending.subarray(end + 4, end + 4 + length));
        pending = pending.subarray(end + 4 + length);
        const reply = replies.shift();
        if (reply) reply(socket);
        else socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, endpoint: `http://127.0.0.1:${port}`, requests, bodies };
}

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };

describe('S3 over plain HTTP: framing the real server does not produce on demand', () => {
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
    const http = new S3PlainHttp({ endpoint, bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials });
    await expect(http.send({ method: 'GET', key: 'k', into: new Uint8Array(5) })).rejects.toBeInstanceOf(UnsupportedResponseError);
    http.close();
  });

  it('an S3 error answer keeps its code and status (what retries classify by), and the connection stays usable', async () => {
    const slowDown = (socket: Socket) => {
      const xml = '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>';
      socket.write(`HTTP/1.1 503 Service Unavailable\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`);
    };
    const ok = (socket: Socket) => socket.write(Buffer.concat([Buffer.from('HTTP/1.1 206 Partial Content\r\nContent-Length: 4\r\n\r\n'), Buffer.from('data')]));
    const { server, endpoint, requests } = await scriptedServer([slowDown, ok]);
    servers.push(server);
    const http = new S3PlainHttp({ endpoint, bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials });
    const failure = await http.send({ method: 'GET', key: 'k' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    expect((await http.send({ method: 'GET', key: 'k' })).body.toString()).toBe('data');
    expect(requests).toHaveLength(2);
    http.close();
  });

  const answer = (status: string, headers: string, body = '') => (socket: Socket) =>
    socket.write(`HTTP/1.1 ${status}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  it('a PUT sends its body with Content-MD5, the Object Lock headers and If-None-Match; a HEAD answer has no body to wait for', async () => {
    const { server, endpoint, requests, bodies } = await scriptedServer([
      answer('200 OK', ''),
      // HEAD: Content-Length describes the object; nothing follows, and the same connection serves the next call.
      (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nLast-Modified: Sun, 22 Nov 2026 05:00:00 GMT\r\n\r\n'),
      answer('204 No Content', ''),
    ]);
    servers.push(server);
    const backend = new S3Backend(
      { bucket: 'b', prefix: 'p', region: 'us-east-1', endpoint, forcePathStyle: true, accessKeyId: 'AKID', secretAccessKey: 'secret', retention: { days: 2 } },
      undefined,
      DEFAULT_RETRY_POLICY,
      () => new Date('2026-11-22T00:00:00Z'),
    );
    await backend.put('header', Buffer.from('payload'), { ifAbsent: true });
    expect(requests[0]).toMatch(/^PUT \/b\/p\/header HTTP\/1\.1/);
    expect(requests[0]).toMatch(/\r\ncontent-md5: Mhw89IbtUJFk7eweGYH\+yA==/i);
    expect(requests[0]).toMatch(/\r\nif-none-match: \*/i);
    expect(requests[0]).toMatch(/\r\nx-amz-object-lock-mode: COMPLIANCE/i);
    expect(requests[0]).toMatch(/\r\nx-amz-object-lock-retain-until-date: 2026-11-24T00:00:00.000Z/i);
    expect(bodies[0]!.toString()).toBe('payload');
    expect(await backend.head('header')).toEqual({ key: 'header', size: 1234, lastModified: new Date('2026-11-22T05:00:00Z') });
    const http = new S3PlainHttp({ endpoint, bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials });
    expect((await http.send({ method: 'DELETE', key: 'p/x', query: { versionId: 'v 1' } })).status).toBe(204);
    expect(requests[2]).toMatch(/^DELETE \/b\/p\/x\?versionId=v%201 HTTP\/1\.1/);
    http.close();
  });

  it('a listing answered chunked sends the backend to the SDK, which reads it', async () => {
    const xml = '<?xml version="1.0"?><ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/a&amp;b</Key><Size>3</Size><LastModified>2026-11-22T05:00:00.000Z</LastModified></Contents></ListBucketResult>';
    const chunked = (socket: Socket) => socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${xml.length.toString(16)}\r\n${xml}\r\n0\r\n\r\n`);
    const { server, endpoint, requests } = await scriptedServer([chunked, chunked, chunked]);
    servers.push(server);
    const backend = new S3Backend({ bucket: 'b', prefix: 'p', region: 'us-east-1', endpoint, forcePathStyle: true, accessKeyId: 'AKID', secretAccessKey: 'secret' });
    const listed = [];
    for await (const object of backend.list('')) listed.push(object);
    expect(listed).toEqual([{ key: 'a&b', size: 3, lastModified: new Date('2026-11-22T05:00:00Z') }]);
    for await (const object of backend.list('')) expect(object.key).toBe('a&b');
    // The plain client tried once; the SDK served that listing and the next.
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatch(/^GET \/b\/\?list-type=2&prefix=p%2F HTTP\/1\.1/);
  });
});
