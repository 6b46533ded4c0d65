import type { ReactNode } from 'react';
import { answer, useLoad, type HavenClient } from '../use-api.js';
import type { RequestBody } from '../../../../lib/client/client.js';
import { BodyForm } from './body-form.js';
import { Problem } from './common.js';

/** A new backup definition: every option of POST /backup-definitions, from the API's own schema. */
export function BackupWizard({ client }: { client: HavenClient }): ReactNode {
  const clusters = useLoad(async () => answer(await client.GET('/api/v1/clusters', { params: { query: { limit: 200 } } })).items, [client]);
  if (clusters.state === 'loading') return <p>Loading…</p>;
  if (clusters.state === 'failed') return <Problem message={clusters.message} />;
  return (
    <>
      <h1>New backup definition</h1>
      <BodyForm
        path="/api/v1/backup-definitions"
        method="post"
        submitLabel="Create backup definition"
        choices={{ clusterId: clusters.data.map((c) => ({ value: c.id, label: `${c.name} (${c.status})` })) }}
        submit={async (body) => {
          answer(await client.POST('/api/v1/backup-definitions', { body: body as RequestBody<'createBackupDefinition'> }));
          window.location.hash = '#/';
        }}
      />
    </>
  );
}

/** "Run now", with the run's own options (retention) from the schema of …/actions/run. */
export function RunDefinition({ client, id }: { client: HavenClient; id: string }): ReactNode {
  const definition = useLoad(async () => answer(await client.GET('/api/v1/backup-definitions/{id}', { params: { path: { id } } })), [client, id]);
  if (definition.state === 'loading') return <p>Loading…</p>;
  if (definition.state === 'failed') return <Problem message={definition.message} />;
  return (
    <>
      <h1>Run {definition.data.name} now</h1>
      <BodyForm
        path="/api/v1/backup-definitions/{id}/actions/run"
        method="post"
        submitLabel="Start the backup"
        submit={async (body) => {
          const job = answer(await client.POST('/api/v1/backup-definitions/{id}/actions/run', { params: { path: { id } }, body: body as RequestBody<'runBackupDefinition'> }));
          window.location.hash = `#/jobs/${job.id}`;
        }}
      />
    </>
  );
}
