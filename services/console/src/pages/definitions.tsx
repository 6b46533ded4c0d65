import { useState, type ReactNode } from 'react';
import type { SuccessBody } from '../../../../lib/client/client.js';
import { answer, byPath, useLoad, type HavenClient } from '../use-api.js';
import { JobStatus, Problem, Table, when } from './common.js';
import { ConfirmDialog } from './confirm-dialog.js';
import type { DefinitionKind, StoredDefinition } from './definition-kinds.js';

type Job = SuccessBody<'listJobs'>['items'][number];

/** Runs shown per definition. */
const LAST_RUNS = 3;
/** Runs end and schedules fire while the page is open. */
const LIST_POLL_MS = 5000;
const NOT_COMPLETED = new Set(['FAILED', 'PARTIAL', 'SKIPPED']);

/** The ETag a record of this version carries: what a change sends back in If-Match. */
export const etagOf = (version: number) => `"${version}"`;

async function loadDefinitions(client: HavenClient, kind: DefinitionKind) {
  const [definitions, clusters, backups] = await Promise.all([
    byPath(client).GET(`/api/v1/${kind.collection}`, { params: { query: { limit: 200 } } }),
    client.GET('/api/v1/clusters', { params: { query: { limit: 200 } } }),
    client.GET('/api/v1/backup-definitions', { params: { query: { limit: 200 } } }),
  ]);
  const items = (answer(definitions) as { items: StoredDefinition[] }).items;
  const names = new Map<string, string>([...answer(clusters).items, ...answer(backups).items].map((record) => [record.id, record.name]));
  const runs = await Promise.all(items.map(async (definition) => answer(await client.GET('/api/v1/jobs', { params: { query: { definitionId: definition.id, limit: LAST_RUNS } } })).items));
  return { rows: items.map((definition, index) => ({ definition, runs: runs[index]! })), names };
}

/** Every definition of one kind with its last runs, and what can be done to each without writing JSON. */
export function DefinitionList({ client, kind }: { client: HavenClient; kind: DefinitionKind }): ReactNode {
  const [changes, setChanges] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<StoredDefinition | null>(null);
  const loaded = useLoad(() => loadDefinitions(client, kind), [client, kind.collection, changes], LIST_POLL_MS);
  const act = async (change: () => Promise<{ data?: unknown; error?: unknown; response: Response }>) => {
    try {
      answer(await change());
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
    setChanges((n) => n + 1);
  };
  const api = byPath(client);
  const base = `/api/v1/${kind.collection}`;
  return (
    <>
      <h1>{kind.title}</h1>
      <p>
        <a href={`#/${kind.collection}/new`}>New {kind.noun}</a>
      </p>
      {problem && <Problem message={problem} />}
      {loaded.state === 'loading' && <p>Loading…</p>}
      {loaded.state === 'failed' && <Problem message={loaded.message} />}
      {loaded.state === 'ready' && (
        <Table caption={`Each ${kind.noun}, what it covers and its last ${LAST_RUNS} runs`} columns={['Definition', 'Covers', 'Last runs', 'Actions']}>
          {loaded.data.rows.map(({ definition, runs }) => (
            <tr key={definition.id}>
              <th scope="row">{definition.name}{definition.paused ? ' (paused)' : ''}</th>
              <td>{kind.covers(definition, loaded.data.names)}{definition.policyId ? '' : '; on demand only'}</td>
              <td>{runs.length === 0 ? 'never run' : <RunList runs={runs} />}</td>
              <td className="actions">
                <a href={`#/${kind.collection}/${definition.id}/run`}>Run {definition.name} now</a>
                <a href={`#/${kind.collection}/${definition.id}/edit`}>Edit {definition.name}</a>
                {/* Only a schedule pauses: the API refuses a definition without a policy (runs on demand only). */}
                {definition.policyId && (
                  <button type="button" onClick={() => void act(() => api.POST(`${base}/{id}/actions/${definition.paused ? 'resume' : 'pause'}`, { params: { path: { id: definition.id } } }))}>
                    {definition.paused ? 'Resume' : 'Pause'} {definition.name}
                  </button>
                )}
                <button type="button" onClick={() => setDeleting(definition)}>Delete {definition.name}</button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${kind.noun} ${deleting.name}?`}
          confirmLabel={`Delete ${deleting.name}`}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const target = deleting;
            setDeleting(null);
            void act(() => api.DELETE(`${base}/{id}`, { params: { path: { id: target.id } }, headers: { 'if-match': etagOf(target.version) } }));
          }}
        >
          <p>Its schedule stops. Its jobs and recovery points remain; this cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

export function RunList({ runs }: { runs: Job[] }): ReactNode {
  return (
    <ul>
      {runs.map((job) => (
        <li key={job.id}>
          <a href={`#/jobs/${job.id}`}><JobStatus status={job.status} /> {when(job.startedAt)}</a>
          {NOT_COMPLETED.has(job.status) && <span className="hint">{job.message}</span>}
        </li>
      ))}
    </ul>
  );
}
