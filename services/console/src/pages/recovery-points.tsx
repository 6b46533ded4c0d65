import type { ReactNode } from 'react';
import { answer, useLoad, type HavenClient } from '../use-api.js';
import { bytes, Problem, Table, when } from './common.js';

function safeLockText(safeLock: { locked: boolean; lockedUntil: string | null }): string {
  return safeLock.locked ? `SafeLock: locked until ${when(safeLock.lockedUntil)}` : 'SafeLock: not locked';
}

export function RecoveryPointList({ client }: { client: HavenClient }): ReactNode {
  const points = useLoad(async () => answer(await client.GET('/api/v1/recovery-points', { params: { query: { limit: 100 } } })).items, [client]);
  if (points.state === 'loading') return <p>Loading…</p>;
  if (points.state === 'failed') return <Problem message={points.message} />;
  return (
    <>
      <h1>Recovery points</h1>
      <Table columns={['Point', 'Cluster', 'Created', 'Expires', 'Size', 'SafeLock']}>
          {points.data.map((p) => (
            <tr key={p.id}>
              <th scope="row"><a href={`#/recovery-points/${p.id}`}>{p.definitionName ?? p.id} at {when(p.createdAt)}</a></th>
              <td>{p.clusterName}</td>
              <td>{when(p.createdAt)}</td>
              <td>{when(p.expiresAt)}</td>
              <td>{bytes(p.sizeBytes)}</td>
              <td>{safeLockText(p.safeLock)}</td>
            </tr>
          ))}
      </Table>
    </>
  );
}

export function RecoveryPointPage({ client, id }: { client: HavenClient; id: string }): ReactNode {
  const point = useLoad(async () => answer(await client.GET('/api/v1/recovery-points/{id}', { params: { path: { id } } })), [client, id]);
  if (point.state === 'loading') return <p>Loading…</p>;
  if (point.state === 'failed') return <Problem message={point.message} />;
  const p = point.data;
  return (
    <>
      <h1>Recovery point of {p.definitionName ?? 'a deleted definition'}</h1>
      <p>
        {p.rds ? <a href={`#/recovery-points/${p.id}/rds-restore`}>Restore this snapshot into a new database</a> : <a href={`#/recovery-points/${p.id}/restore`}>Restore from this point</a>}
      </p>
      <dl>
        <dt>Cluster</dt><dd>{p.clusterName}</dd>
        <dt>Created</dt><dd>{when(p.createdAt)}</dd>
        <dt>Expires</dt><dd>{when(p.expiresAt)}</dd>
        <dt>Size</dt><dd>{bytes(p.sizeBytes)}</dd>
        <dt>Deletion protection</dt><dd data-testid="safelock">{safeLockText(p.safeLock)}</dd>
        {p.rds && (<><dt>RDS snapshot</dt><dd>{p.rds.snapshotIdentifier} of {p.rds.databaseIdentifier} ({p.rds.engine}) in {p.rds.region}</dd></>)}
        {p.jobId && (<><dt>Made by</dt><dd><a href={`#/jobs/${p.jobId}`}>its backup run</a></dd></>)}
      </dl>
      <h2>Contents</h2>
      <p>{p.contents.resourceCount} resources in namespaces {p.contents.namespaces.join(', ')}</p>
      <Table caption="Persistent volumes" columns={['Claim', 'Storage class', 'Size', 'Method']}>
          {p.contents.persistentVolumes.map((v) => (
            <tr key={`${v.namespace}/${v.claim}`}>
              <th scope="row">{v.namespace}/{v.claim}</th>
              <td>{v.storageClass}</td>
              <td>{bytes(v.sizeBytes)}</td>
              <td>{v.method}</td>
            </tr>
          ))}
      </Table>
    </>
  );
}
