import type { ReactNode } from 'react';
import type { RequestBody } from '../../../../lib/client/client.js';
import { answer, useLoad, type HavenClient } from '../use-api.js';
import { BodyForm } from './body-form.js';
import { Problem } from './common.js';

/**
 * A restore from one recovery point: every option of POST /restores from the API's schema (namespace
 * mapping, prefixes and suffixes rename on the way), then run at once and followed on its job page.
 */
export function RestoreWizard({ client, pointId }: { client: HavenClient; pointId: string }): ReactNode {
  const context = useLoad(async () => {
    const [point, clusters] = await Promise.all([
      client.GET('/api/v1/recovery-points/{id}', { params: { path: { id: pointId } } }),
      client.GET('/api/v1/clusters', { params: { query: { limit: 200 } } }),
    ]);
    return { point: answer(point), clusters: answer(clusters).items };
  }, [client, pointId]);
  if (context.state === 'loading') return <p>Loading…</p>;
  if (context.state === 'failed') return <Problem message={context.message} />;
  const { point, clusters } = context.data;
  return (
    <>
      <h1>Restore from {point.definitionName ?? 'a recovery point'}</h1>
      <p>Namespaces in this point: {point.contents.namespaces.join(', ')}</p>
      <BodyForm
        path="/api/v1/restores"
        method="post"
        submitLabel="Create and run the restore"
        initial={{ recoveryPointId: point.id, targetClusterId: point.clusterId }}
        hidden={['recoveryPointId', 'runNow']}
        choices={{ targetClusterId: clusters.map((c) => ({ value: c.id, label: `${c.name} (${c.status})` })) }}
        submit={async (body) => {
          const restore = answer(await client.POST('/api/v1/restores', { body: body as RequestBody<'createRestore'> }));
          const job = answer(await client.POST('/api/v1/restores/{id}/actions/run', { params: { path: { id: restore.id } }, body: {} }));
          window.location.hash = `#/jobs/${job.id}`;
        }}
      />
    </>
  );
}
