import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the web console is served. */
export const CONSOLE_PREFIX = '/console/';

/**
 * Serves the web console's static build (services/console, built by scripts/console/build.ts) when the
 * folder holds one. The console is a client of this API like any other: its files need no key, and every
 * call it makes carries the user's own API key.
 */
export async function installConsole(app: FastifyInstance, consoleDir: string | undefined): Promise<void> {
  if (!consoleDir || !existsSync(join(consoleDir, 'index.html'))) {
    app.log.info({ consoleDir }, 'no web console build; /console/ is not served');
    return;
  }
  await app.register(fastifyStatic, { root: consoleDir, prefix: CONSOLE_PREFIX, index: 'index.html', decorateReply: false });
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect(CONSOLE_PREFIX));
}
