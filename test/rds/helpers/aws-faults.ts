import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A proxy in front of moto that makes AWS misbehave on cue: it answers a chosen RDS action with an AWS
 * error document (as AWS words it), or holds a chosen action's requests unanswered, as a slow AWS does.
 * Every other request reaches moto unchanged. The SDK's endpoint variable points at it for one test file.
 */
export interface AwsFaults {
  endpoint: string;
  /** Answers `action` with AWS's error `code` and `message` (HTTP 400), until cleared. */
  fail(action: string, code: string, message: string): void;
  /** Once `after` has passed through, holds every `action` request until released. */
  holdAfter(after: string, action: string): void;
  /** How many requests are held now. */
  held(): number;
  /** Stops failing and holding; held requests go on to moto. */
  clear(): void;
  close(): Promise<void>;
}

const actionOf = (body: string) => new URLSearchParams(body).get('Action') ?? '';

export async function startAwsFaults(upstream: string): Promise<AwsFaults> {
  let failure: { action: string; code: string; message: string } | undefined;
  let hold: { after: string; action: string; armed: boolean } | undefined;
  const waiting: (() => void)[] = [];
  const target = new URL(upstream);

  const forward = (incoming: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const outgoing = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outgoing.on('error', () => response.destroy());
    outgoing.end(body);
  };

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = actionOf(body.toString('utf8'));
      if (failure && action === failure.action) {
        response.writeHead(400, { 'content-type': 'text/xml' });
        response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${failure.message}</Message></Error><RequestId>haven-test</RequestId></ErrorResponse>`);
        return;
      }
      if (hold?.armed && action === hold.action) {
        waiting.push(() => forward(incoming, body, response));
        return;
      }
      if (hold && action === hold.after) hold.armed = true;
      forward(incoming, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const release = () => {
    hold = undefined;
    failure = undefined;
    for (const go of waiting.splice(0)) go();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    fail: (action, code, message) => (failure = { action, code, message }),
    holdAfter: (after, action) => (hold = { after, action, armed: false }),
    held: () => waiting.length,
    clear: release,
    close: async () => {
      release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
