import type { ReactNode } from 'react';
import { projectOnto, requestSchema } from '../openapi.js';
import type { Choices } from '../schema-form.js';
import { answer, byPath, useLoad, type HavenClient } from '../use-api.js';
import { BodyForm } from './body-form.js';
import { Problem } from './common.js';
import type { DefinitionKind, StoredDefinition } from './definition-kinds.js';
import { etagOf } from './definitions.js';

const option = (record: { id: string; name: string }, detail?: string) => ({ value: record.id, label: detail ? `${record.name} (${detail})` : record.name });

/**
 * The records a definition's fields refer to, offered by name: a field is matched by its own name wherever
 * it is (destination.clusterId is a cluster like clusterId).
 */
async function referenceChoices(client: HavenClient): Promise<Choices> {
  const limit = { params: { query: { limit: 200 } } };
  const [clusters, policies, targets, accounts, backups] = await Promise.all([
    client.GET('/api/v1/clusters', limit),
    client.GET('/api/v1/policies', limit),
    client.GET('/api/v1/storage-targets', limit),
    client.GET('/api/v1/cloud-accounts', limit),
    client.GET('/api/v1/backup-definitions', limit),
  ]);
  const clusterOptions = answer(clusters).items.map((c) => option(c, c.status));
  const policyOptions = answer(policies).items.map((p) => option(p));
  return {
    clusterId: clusterOptions,
    sourceClusterId: clusterOptions,
    targetClusterId: clusterOptions,
    policyId: policyOptions,
    destinationStorageTargetId: answer(targets).items.map((t) => option(t, t.kind)),
    storageTargetId: answer(targets).items.map((t) => option(t, t.kind)),
    cloudAccountId: answer(accounts).items.map((a) => option(a, a.awsAccountId)),
    backupDefinitionId: answer(backups).items.map((b) => option(b)),
  };
}

/**
 * A new definition of any kind, or an edit of one: every option of the operation's body from the API's
 * own schema. An edit starts from the stored definition (what the body schema has of it) and sends it back
 * with the version it read, so a change made meanwhile by someone else is refused, not overwritten.
 */
export function DefinitionWizard({ client, kind, id }: { client: HavenClient; kind: DefinitionKind; id?: string }): ReactNode {
  const base = `/api/v1/${kind.collection}`;
  const context = useLoad(async () => {
    const choices = await referenceChoices(client);
    if (!id) return { choices, stored: undefined, initial: {} };
    const stored = answer(await byPath(client).GET(`${base}/{id}`, { params: { path: { id } } })) as StoredDefinition;
    return { choices, stored, initial: projectOnto(await requestSchema(`${base}/{id}`, 'put'), stored) };
  }, [client, kind.collection, id]);
  if (context.state === 'loading') return <p>Loading…</p>;
  if (context.state === 'failed') return <Problem message={context.message} />;
  const { choices, stored, initial } = context.data;
  return (
    <>
      <h1>{stored ? `Edit ${kind.noun} ${stored.name}` : `New ${kind.noun}`}</h1>
      <BodyForm
        path={stored ? `${base}/{id}` : base}
        method={stored ? 'put' : 'post'}
        submitLabel={stored ? `Save ${kind.noun}` : `Create ${kind.noun}`}
        initial={initial}
        // Starting a first run belongs to creating; an edit leaves runs alone.
        hidden={stored ? ['runNow'] : []}
        choices={choices}
        submit={async (body) => {
          if (stored) answer(await byPath(client).PUT(`${base}/{id}`, { params: { path: { id: stored.id } }, body, headers: { 'if-match': etagOf(stored.version) } }));
          else answer(await byPath(client).POST(base, { body }));
          window.location.hash = stored ? `#/${kind.collection}` : kind.home;
        }}
      />
    </>
  );
}

/** "Run now", with the run's own options (retention, an RDS run's mode) from the schema of …/actions/run. */
export function RunDefinition({ client, kind, id }: { client: HavenClient; kind: DefinitionKind; id: string }): ReactNode {
  const base = `/api/v1/${kind.collection}`;
  const definition = useLoad(async () => answer(await byPath(client).GET(`${base}/{id}`, { params: { path: { id } } })) as StoredDefinition, [client, kind.collection, id]);
  if (definition.state === 'loading') return <p>Loading…</p>;
  if (definition.state === 'failed') return <Problem message={definition.message} />;
  return (
    <>
      <h1>Run {definition.data.name} now</h1>
      <BodyForm
        path={`${base}/{id}/actions/run`}
        method="post"
        submitLabel={kind.runLabel}
        submit={async (body) => {
          const job = answer(await byPath(client).POST(`${base}/{id}/actions/run`, { params: { path: { id } }, body })) as { id: string };
          window.location.hash = `#/jobs/${job.id}`;
        }}
      />
    </>
  );
}
