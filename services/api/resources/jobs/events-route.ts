import type { ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import { jobs } from '../../../../lib/db/schema/index.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { ApiContext } from '../../context.js';
import { errorResponses } from '../../http/problem-schema.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { liveJob } from './live-job.js';
import type { Job } from './schema.js';

/** How often a stream reads the job again (a database read and, while RUNNING, one read of its run). */
export const JOB_EVENTS_POLL_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const JOB_EVENTS_KEEPALIVE_MS = 15_000;

const openStreams = new Set<() => void>();

/** Streams open now, across the process: each holds a poll timer and a keep-alive timer until it closes. */
export function openJobEventStreams(): number {
  return openStreams.size;
}

/** What counts as a change: the figures' measuring time alone is not one. */
function changeKey(job: Job): string {
  return JSON.stringify(job.progress ? { ...job, progress: { ...job.progress, updatedAt: '' } } : job);
}

function writeEvent(raw: ServerResponse, event: string, data: unknown): void {
  raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * GET /jobs/{id}/events: the job as Server-Sent Events. Authorized and scoped exactly like GET /jobs/{id}
 * (the first read answers 404 before the stream opens); then the job is read again every second and sent
 * when it changed, and once it is no longer RUNNING, a last `job` event and `end` close the stream. A
 * client that goes away, or the API closing, stops its timers at once.
 */
export function jobEventRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.addHook('preClose', async () => {
      for (const close of [...openStreams]) close();
    });

    app.get(
      '/jobs/:id/events',
      {
        // A HEAD twin would open a stream nobody reads.
        exposeHeadRoute: false,
        schema: {
          tags: ['jobs'],
          operationId: 'streamJobEvents',
          summary: 'Follow a job as Server-Sent Events until it ends',
          description:
            'A `text/event-stream`. `event: job` carries the Job (as GET /jobs/{id} returns it, progress included) at once and ' +
            'whenever it changes (read about once a second); when the job is no longer RUNNING, a last `event: job`, then ' +
            '`event: end`, and the stream closes. A `: ping` comment line comes every 15 s.',
          params: IdParams,
          response: {
            200: {
              description: 'The event stream.',
              content: { 'text/event-stream': { schema: Type.String({ description: 'Server-Sent Events: `event: job` / `event: end` frames and `: ping` comments.' }) } },
            },
            ...errorResponses('not-found'),
          },
        },
      },
      async (request, reply) => {
        const read = async () => liveJob(context, await request.tenant.get(jobs, request.params.id, 'job'), request.principal.role);
        // Outside the stream: a job of another organization, or none, is a plain 404 problem.
        const first = await read();
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });

        let poll: NodeJS.Timeout | undefined;
        const keepAlive = setInterval(() => raw.write(': ping\n\n'), JOB_EVENTS_KEEPALIVE_MS);
        let lastSent = '';
        const close = () => {
          if (!openStreams.delete(close)) return;
          clearTimeout(poll);
          clearInterval(keepAlive);
          raw.end();
        };
        openStreams.add(close);
        raw.on('close', close);

        const send = (job: Job) => {
          const key = changeKey(job);
          if (key !== lastSent) writeEvent(raw, 'job', job);
          lastSent = key;
          if (job.status === 'RUNNING') return;
          writeEvent(raw, 'end', { id: job.id, status: job.status });
          close();
        };
        const next = () => {
          if (openStreams.has(close)) poll = setTimeout(() => void again(), JOB_EVENTS_POLL_MS);
        };
        const again = async () => {
          try {
            const job = await read();
            if (!openStreams.has(close)) return;
            send(job);
            next();
          } catch (error) {
            request.log.warn({ err: error, jobId: request.params.id }, 'job event stream ended: the job could not be read');
            close();
          }
        };
        send(first);
        next();
      },
    );
  };
}
