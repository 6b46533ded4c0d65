import { setTimeout as sleep } from 'node:timers/promises';
import { answer } from '../../../lib/client/client.js';
import type { HavenClient } from '../../../lib/client/client.js';
import { serverSentEvents } from './event-stream.js';
import { isFinished } from './job-progress.js';
import type { WatchedJob } from './job-progress.js';

/** When the API has no event stream (or it broke off), GET the job this often: the API measures progress about once a second too. */
export const POLL_INTERVAL_MS = 1000;

async function* decoded(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of body) yield decoder.decode(chunk, { stream: true });
}

/**
 * The job's states from GET /jobs/{id}/events while it runs. The stream is read with fetch rather than the
 * generated client: it is text/event-stream, whose events carry the same Job the generated GET /jobs/{id}
 * type describes. Ends when the stream does; yields nothing when the API has no such stream.
 */
async function* streamed(connection: { server: string; apiKey: string }, jobId: string): AsyncGenerator<WatchedJob> {
  const response = await fetch(`${connection.server.replace(/\/+$/, '')}/api/v1/jobs/${encodeURIComponent(jobId)}/events`, {
    headers: { authorization: `Bearer ${connection.apiKey}`, accept: 'text/event-stream' },
  }).catch(() => undefined);
  if (!response?.ok || !response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response?.body?.cancel();
    return;
  }
  for await (const event of serverSentEvents(decoded(response.body))) {
    if (event.event === 'end') break;
    if (event.event === 'job') yield JSON.parse(event.data) as WatchedJob;
  }
  await response.body.cancel().catch(() => undefined);
}

/**
 * Every state of the job until it is no longer RUNNING, the first at once and the last finished: from the
 * event stream when the API serves one, else (an older API, or a stream that broke off) by polling.
 */
export async function* jobUpdates(client: HavenClient, connection: { server: string; apiKey: string }, jobId: string): AsyncGenerator<WatchedJob> {
  // First a plain GET: a job that does not exist is the API's 404 problem, not an empty stream.
  let job = answer(await client.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } } })) as WatchedJob;
  yield job;
  if (isFinished(job)) return;
  for await (const update of streamed(connection, jobId)) {
    job = update;
    yield job;
    if (isFinished(job)) return;
  }
  while (!isFinished(job)) {
    await sleep(POLL_INTERVAL_MS);
    job = answer(await client.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } } })) as WatchedJob;
    yield job;
  }
}
