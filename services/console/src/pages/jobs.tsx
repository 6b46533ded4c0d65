import type { ReactNode } from 'react';
import { answer, useLoad, type HavenClient } from '../use-api.js';
import { bytes, JobStatus, Problem, Table, when } from './common.js';

/** How often a running job is asked for its progress. */
const JOB_POLL_MS = 1000;
const JOBS_POLL_MS = 3000;
const ENDED = new Set(['COMPLETED', 'FAILED', 'PARTIAL', 'SKIPPED', 'CANCELLED']);

export function JobList({ client }: { client: HavenClient }): ReactNode {
  const jobs = useLoad(async () => answer(await client.GET('/api/v1/jobs', { params: { query: { limit: 50 } } })).items, [client], JOBS_POLL_MS);
  if (jobs.state === 'loading') return <p>Loading…</p>;
  if (jobs.state === 'failed') return <Problem message={jobs.message} />;
  return (
    <>
      <h1>Jobs</h1>
      <Table columns={['Run', 'Kind', 'Status', 'Started', 'Message', 'Temporal']}>
          {jobs.data.map((job) => (
            <tr key={job.id}>
              <th scope="row"><a href={`#/jobs/${job.id}`}>{job.definitionName}</a></th>
              <td>{job.kind}</td>
              <td><JobStatus status={job.status} /></td>
              <td>{when(job.startedAt)}</td>
              <td>{job.message}</td>
              <td>{job.temporalUiUrl && <a href={job.temporalUiUrl} target="_blank" rel="noreferrer">workflow of {job.definitionName}</a>}</td>
            </tr>
          ))}
      </Table>
    </>
  );
}

/** One run, followed live while it runs: its step, bytes and files, each volume, and why it failed. */
export function JobPage({ client, id }: { client: HavenClient; id: string }): ReactNode {
  const job = useLoad(async () => answer(await client.GET('/api/v1/jobs/{id}', { params: { path: { id } } })), [client, id], JOB_POLL_MS);
  if (job.state === 'loading') return <p>Loading…</p>;
  if (job.state === 'failed') return <Problem message={job.message} />;
  const j = job.data;
  const progress = j.progress;
  return (
    <>
      <h1>{j.kind.toLowerCase()} run of {j.definitionName}</h1>
      <p aria-live="polite">
        Status: <JobStatus status={j.status} /> — <span data-testid="job-message">{j.message}</span>
      </p>
      <dl>
        <dt>Started</dt><dd>{when(j.startedAt)}</dd>
        <dt>Ended</dt><dd>{ENDED.has(j.status) ? when(j.endedAt) : 'still running'}</dd>
        <dt>Moved</dt><dd>{bytes(j.bytesTransferred)} in {j.filesTransferred ?? 0} files</dd>
        {j.temporalUiUrl && (<><dt>Workflow</dt><dd><a href={j.temporalUiUrl} target="_blank" rel="noreferrer">Open this run in the Temporal UI</a></dd></>)}
      </dl>
      {progress && (
        <section aria-label="Progress">
          <h2>{progress.description}</h2>
          <label htmlFor="job-progress">Bytes copied: {bytes(progress.bytesDone)} of {bytes(progress.bytesExpected)}</label>
          <progress id="job-progress" max={progress.bytesExpected ?? undefined} value={progress.bytesDone} />
          <ul>
            {progress.volumes.map((v) => (
              <li key={`${v.namespace}/${v.claim}`}>{v.namespace}/{v.claim}: {v.state}, {bytes(v.bytesDone)} of {bytes(v.bytesExpected)}</li>
            ))}
          </ul>
        </section>
      )}
      {j.errors.length > 0 && (
        <section aria-label="Why it failed">
          <h2>What went wrong</h2>
          <ul data-testid="job-errors">
            {j.errors.map((e, index) => (
              <li key={index}>{e.resource ? <strong>{e.resource}: </strong> : null}{e.message}{e.output && <pre>{e.output}</pre>}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
