import type { ReactNode } from 'react';
import type { SuccessBody } from '../../../../lib/client/client.js';
import { answer, useLoad, type HavenClient } from '../use-api.js';
import { JobStatus, Problem, Table, when } from './common.js';

type Cluster = SuccessBody<'listClusters'>['items'][number];
type Definition = SuccessBody<'listBackupDefinitions'>['items'][number];
type Job = SuccessBody<'listJobs'>['items'][number];
type Inventory = SuccessBody<'getClusterInventory'>;

/** Runs shown per definition on the dashboard. */
const LAST_RUNS = 3;
/** The dashboard refreshes itself: agents come and go, runs end. */
const DASHBOARD_POLL_MS = 5000;
const FAILED = new Set(['FAILED', 'PARTIAL', 'SKIPPED']);

interface Overview {
  clusters: { cluster: Cluster; inventory: Inventory | null; inventoryError: string | null }[];
  definitions: { definition: Definition; runs: Job[] }[];
}

async function loadOverview(client: HavenClient): Promise<Overview> {
  const [clusterAnswer, definitionAnswer] = await Promise.all([
    client.GET('/api/v1/clusters', { params: { query: { limit: 200 } } }),
    client.GET('/api/v1/backup-definitions', { params: { query: { limit: 200 } } }),
  ]);
  const clusters = answer(clusterAnswer);
  const definitions = answer(definitionAnswer);
  const inventories = await Promise.all(
    clusters.items.map(async (cluster) => {
      if (cluster.status !== 'ACTIVE') return { cluster, inventory: null, inventoryError: `the agent is ${cluster.status.toLowerCase()}` };
      try {
        const inventory = answer(await client.GET('/api/v1/clusters/{id}/inventory', { params: { path: { id: cluster.id } } }));
        return { cluster, inventory, inventoryError: null };
      } catch (error) {
        return { cluster, inventory: null, inventoryError: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const runs = await Promise.all(
    definitions.items.map(async (definition) => ({
      definition,
      runs: answer(await client.GET('/api/v1/jobs', { params: { query: { definitionId: definition.id, limit: LAST_RUNS } } })).items,
    })),
  );
  // Failures first: what needs someone's attention leads the page.
  const failing = (d: { runs: Job[] }) => (d.runs[0] && FAILED.has(d.runs[0].status) ? 0 : 1);
  runs.sort((a, b) => failing(a) - failing(b) || a.definition.name.localeCompare(b.definition.name));
  return { clusters: inventories, definitions: runs };
}

/** Namespaces of a cluster some definition selects (label selections count as selecting: they may). */
function protectedNamespaces(definitions: Definition[], inventory: Inventory): Set<string> {
  const names = inventory.namespaces.map((n) => n.name);
  const covered = new Set<string>();
  for (const d of definitions) {
    const selected =
      d.selection.scope === 'FULL_CLUSTER' ? names
      : d.selection.scope === 'SELECTED_NAMESPACES' ? d.selection.namespaces
      : names.filter((n) => !d.selection.excludedNamespaces.includes(n));
    for (const name of selected) covered.add(name);
  }
  return covered;
}

export function Dashboard({ client }: { client: HavenClient }): ReactNode {
  const overview = useLoad(() => loadOverview(client), [client], DASHBOARD_POLL_MS);
  if (overview.state === 'loading') return <p>Loading…</p>;
  if (overview.state === 'failed') return <Problem message={overview.message} />;
  const { clusters, definitions } = overview.data;
  return (
    <>
      <h1>Dashboard</h1>
      <p>
        <a href="#/backup-definitions/new">New backup definition</a>
      </p>
      <h2>Clusters</h2>
      <Table caption="Each registered cluster, its agent and what no backup definition covers" columns={['Cluster', 'Agent', 'Last seen', 'Not protected']}>
          {clusters.map(({ cluster, inventory, inventoryError }) => {
            const ofCluster = definitions.map((d) => d.definition).filter((d) => d.clusterId === cluster.id);
            const covered = inventory ? protectedNamespaces(ofCluster, inventory) : new Set<string>();
            const open = inventory ? inventory.namespaces.filter((n) => !n.protected && !covered.has(n.name)).map((n) => n.name) : [];
            const noVolumes = ofCluster.filter((d) => !d.persistentVolumes.include).map((d) => d.name);
            return (
              <tr key={cluster.id}>
                <th scope="row">{cluster.name}</th>
                <td className={`status-${cluster.status}`}>{cluster.status}</td>
                <td>{when(cluster.agentLastSeenAt)}</td>
                <td>
                  {inventoryError ? <span>unknown ({inventoryError})</span>
                  : <span data-testid="unprotected">{open.length > 0 ? `Namespaces without a definition: ${open.join(', ')}` : 'Every namespace has a definition.'}</span>}
                  {noVolumes.length > 0 && <span className="hint">Volumes not copied by: {noVolumes.join(', ')}</span>}
                </td>
              </tr>
            );
          })}
      </Table>
      <h2>Backup definitions</h2>
      <Table caption={`Failures first; the last ${LAST_RUNS} runs of each`} columns={['Definition', 'Last runs', 'Actions']}>
          {definitions.map(({ definition, runs }) => (
            <tr key={definition.id}>
              <th scope="row">{definition.name}{definition.paused ? ' (paused)' : ''}</th>
              <td>
                {runs.length === 0 ? 'never run' : (
                  <ul>
                    {runs.map((job) => (
                      <li key={job.id}>
                        <a href={`#/jobs/${job.id}`}><JobStatus status={job.status} /> {when(job.startedAt)}</a>
                        {FAILED.has(job.status) && <span className="hint">{job.message}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <a href={`#/backup-definitions/${definition.id}/run`}>Run {definition.name} now</a>
              </td>
            </tr>
          ))}
      </Table>
    </>
  );
}
