import { useState, type ReactNode } from 'react';
import type { RequestBody } from '../../../../lib/client/client.js';
import { answer, useLoad, type HavenClient } from '../use-api.js';
import { BodyForm } from './body-form.js';
import { Problem, Table, when } from './common.js';
import { ConfirmDialog } from './confirm-dialog.js';

/** The external id a role's trust policy names: Haven passes it when it assumes the role (docs/rds.md). */
const externalIdOf = (organizationId: string) => `haven-${organizationId}`;

/**
 * AWS accounts: each with how Haven reaches it and its last inventory, a refresh and a delete, and the form
 * to add one (keys or a role, from the API's schema). Adding checks the credentials with AWS first: a
 * refusal naming the permissions they lack is shown as the API's problem says it.
 */
export function CloudAccounts({ client }: { client: HavenClient }): ReactNode {
  const [changes, setChanges] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; name: string; version: number } | null>(null);
  const loaded = useLoad(async () => {
    const [accounts, organization] = await Promise.all([client.GET('/api/v1/cloud-accounts', { params: { query: { limit: 200 } } }), client.GET('/api/v1/organization')]);
    return { accounts: answer(accounts).items, organizationId: answer(organization).id };
  }, [client, changes]);
  const act = async (what: () => Promise<string>) => {
    try {
      setNotice(await what());
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
    setChanges((n) => n + 1);
  };
  if (loaded.state === 'loading') return <p>Loading…</p>;
  if (loaded.state === 'failed') return <Problem message={loaded.message} />;
  return (
    <>
      <h1>Cloud accounts</h1>
      {problem && <Problem message={problem} />}
      {notice && <p role="status">{notice}</p>}
      <Table caption="AWS accounts whose RDS databases Haven protects" columns={['Account', 'Access', 'AWS account', 'Regions', 'Last inventory', 'Actions']}>
        {loaded.data.accounts.map((account) => (
          <tr key={account.id}>
            <th scope="row">{account.name}</th>
            <td>{account.authKind === 'ASSUME_ROLE' ? `role ${account.roleArn ?? ''}` : 'access keys (stored, never shown)'}</td>
            <td>{account.awsAccountId}</td>
            <td>{account.regions.join(', ')}</td>
            <td>{when(account.lastInventoryAt)}{account.lastInventoryError && <span className="error">{account.lastInventoryError}</span>}</td>
            <td className="actions">
              <button
                type="button"
                onClick={() =>
                  void act(async () => {
                    const result = answer(await client.POST('/api/v1/cloud-accounts/{id}/actions/run-inventory', { params: { path: { id: account.id } } }));
                    return `Inventory of ${account.name}: ${result.found} databases found, ${result.markedDeleted} no longer listed.`;
                  })
                }
              >
                Refresh inventory of {account.name}
              </button>
              <button type="button" onClick={() => setDeleting(account)}>Delete {account.name}</button>
            </td>
          </tr>
        ))}
      </Table>
      <h2>Add a cloud account</h2>
      <p className="hint">
        To let Haven assume a role, trust Haven&apos;s own AWS identity in the role with the external id <code>{externalIdOf(loaded.data.organizationId)}</code>.
      </p>
      <BodyForm
        key={changes}
        path="/api/v1/cloud-accounts"
        method="post"
        submitLabel="Add cloud account"
        submit={async (body) => {
          const account = answer(await client.POST('/api/v1/cloud-accounts', { body: body as RequestBody<'createCloudAccount'> }));
          setNotice(`Cloud account ${account.name} added (AWS account ${account.awsAccountId}).`);
          setChanges((n) => n + 1);
        }}
      />
      {deleting && (
        <ConfirmDialog
          title={`Delete cloud account ${deleting.name}?`}
          confirmLabel={`Delete ${deleting.name}`}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const target = deleting;
            setDeleting(null);
            void act(async () => {
              answer(await client.DELETE('/api/v1/cloud-accounts/{id}', { params: { path: { id: target.id }, header: { 'If-Match': `"${target.version}"` } } }));
              return `Cloud account ${target.name} deleted.`;
            });
          }}
        >
          <p>Its stored credentials and its inventory go with it. The API refuses while an RDS definition or recovery point uses it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** The RDS instances and Aurora clusters the inventories found, with their automatic snapshots. */
export function RdsDatabases({ client }: { client: HavenClient }): ReactNode {
  const loaded = useLoad(async () => {
    const [databases, accounts] = await Promise.all([
      client.GET('/api/v1/rds-databases', { params: { query: { limit: 200 } } }),
      client.GET('/api/v1/cloud-accounts', { params: { query: { limit: 200 } } }),
    ]);
    return { databases: answer(databases).items, accounts: new Map(answer(accounts).items.map((a) => [a.id, a.name])) };
  }, [client]);
  if (loaded.state === 'loading') return <p>Loading…</p>;
  if (loaded.state === 'failed') return <Problem message={loaded.message} />;
  return (
    <>
      <h1>RDS databases</h1>
      <p>
        <a href="#/rds-backup-definitions/new">New RDS backup definition</a> · <a href="#/cloud-accounts">Cloud accounts</a> (refresh an inventory there)
      </p>
      <Table caption="What the last inventory of each cloud account found" columns={['Database', 'Type', 'Engine', 'Region', 'Account', 'Status', 'Automatic snapshots']}>
        {loaded.data.databases.map((db) => (
          <tr key={db.id}>
            <th scope="row">{db.identifier}</th>
            <td>{db.type}</td>
            <td>{db.engine} {db.engineVersion}</td>
            <td>{db.region}</td>
            <td>{loaded.data.accounts.get(db.cloudAccountId) ?? db.cloudAccountId}</td>
            <td>{db.deleted ? `deleted ${when(db.deletedAt)}` : db.status}</td>
            <td>{db.automaticSnapshots.length}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

/** A new database from an RDS recovery point's snapshot: the target's options from POST /rds-restores' schema. */
export function RdsRestoreWizard({ client, pointId }: { client: HavenClient; pointId: string }): ReactNode {
  const point = useLoad(async () => answer(await client.GET('/api/v1/recovery-points/{id}', { params: { path: { id: pointId } } })), [client, pointId]);
  if (point.state === 'loading') return <p>Loading…</p>;
  if (point.state === 'failed') return <Problem message={point.message} />;
  const rds = point.data.rds;
  if (!rds) return <Problem message="This recovery point is not an RDS snapshot: restore it from its own page." />;
  return (
    <>
      <h1>Restore RDS snapshot {rds.snapshotIdentifier}</h1>
      <p>{rds.databaseType === 'CLUSTER' ? 'Aurora cluster' : 'Instance'} {rds.databaseIdentifier} ({rds.engine}), restored into a new database in {rds.region}.</p>
      <BodyForm
        path="/api/v1/rds-restores"
        method="post"
        submitLabel="Restore into a new database"
        initial={{ source: { kind: 'RECOVERY_POINT', recoveryPointId: pointId } }}
        hidden={['source']}
        submit={async (body) => {
          const job = answer(await client.POST('/api/v1/rds-restores', { body: body as RequestBody<'createRdsRestore'> }));
          window.location.hash = `#/jobs/${job.id}`;
        }}
      />
    </>
  );
}
