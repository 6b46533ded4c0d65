import { StrictMode, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { clientFor, forgetApiKey, storedApiKey } from './session.js';
import type { HavenClient } from './use-api.js';
import { Dashboard } from './pages/dashboard.js';
import { definitionKind, DEFINITION_KINDS, type DefinitionKind } from './pages/definition-kinds.js';
import { DefinitionWizard, RunDefinition } from './pages/definition-wizard.js';
import { DefinitionList } from './pages/definitions.js';
import { JobList, JobPage } from './pages/jobs.js';
import { CloudAccounts, RdsDatabases, RdsRestoreWizard } from './pages/rds.js';
import { RecoveryPointList, RecoveryPointPage } from './pages/recovery-points.js';
import { RestoreWizard } from './pages/restore-wizard.js';
import { SignIn } from './pages/sign-in.js';

/** The definition collections as one route alternative: `#/<collection>…`. */
const KINDS = `(${DEFINITION_KINDS.map((k) => k.collection).join('|')})`;
const kindOf = (collection: string | undefined): DefinitionKind => definitionKind(collection)!;

/** Hash routes: the API serves one index.html, and a reload keeps the page. */
const ROUTES: { pattern: RegExp; page(client: HavenClient, ...ids: string[]): ReactNode }[] = [
  { pattern: new RegExp(`^#/${KINDS}$`), page: (client, c) => <DefinitionList client={client} kind={kindOf(c)} /> },
  { pattern: new RegExp(`^#/${KINDS}/new$`), page: (client, c) => <DefinitionWizard client={client} kind={kindOf(c)} /> },
  { pattern: new RegExp(`^#/${KINDS}/([^/]+)/edit$`), page: (client, c, id) => <DefinitionWizard client={client} kind={kindOf(c)} id={id!} /> },
  { pattern: new RegExp(`^#/${KINDS}/([^/]+)/run$`), page: (client, c, id) => <RunDefinition client={client} kind={kindOf(c)} id={id!} /> },
  { pattern: /^#\/jobs$/, page: (client) => <JobList client={client} /> },
  { pattern: /^#\/jobs\/([^/]+)$/, page: (client, id) => <JobPage client={client} id={id!} /> },
  { pattern: /^#\/recovery-points$/, page: (client) => <RecoveryPointList client={client} /> },
  { pattern: /^#\/recovery-points\/([^/]+)$/, page: (client, id) => <RecoveryPointPage client={client} id={id!} /> },
  { pattern: /^#\/recovery-points\/([^/]+)\/restore$/, page: (client, id) => <RestoreWizard client={client} pointId={id!} /> },
  { pattern: /^#\/recovery-points\/([^/]+)\/rds-restore$/, page: (client, id) => <RdsRestoreWizard client={client} pointId={id!} /> },
  { pattern: /^#\/cloud-accounts$/, page: (client) => <CloudAccounts client={client} /> },
  { pattern: /^#\/rds-databases$/, page: (client) => <RdsDatabases client={client} /> },
];

/** The main navigation: one link a page, short enough to stay on one line at 1366 pixels. */
const NAVIGATION: [string, string][] = [
  ['#/', 'Dashboard'],
  ['#/backup-definitions/new', 'New backup'],
  ['#/backup-definitions', 'Backups'],
  ['#/replication-definitions', 'Replications'],
  ['#/restore-drills', 'Drills'],
  ['#/jobs', 'Jobs'],
  ['#/recovery-points', 'Recovery points'],
  ['#/cloud-accounts', 'Cloud accounts'],
  ['#/rds-databases', 'RDS databases'],
  ['#/rds-backup-definitions', 'RDS backups'],
];

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function Console(): ReactNode {
  const [apiKey, setApiKey] = useState(storedApiKey());
  const hash = useHash();
  const client = useMemo(() => (apiKey ? clientFor(apiKey) : null), [apiKey]);
  if (!client) return <SignIn onSignedIn={setApiKey} />;
  const route = ROUTES.map((r) => ({ r, match: r.pattern.exec(hash) })).find((m) => m.match);
  return (
    <>
      <header className="bar">
        <strong>Haven</strong>
        <nav aria-label="Main">
          <ul>
            {NAVIGATION.map(([href, label]) => (
              <li key={href}><a href={href} aria-current={hash === href || (href === '#/' && hash === '') ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <button type="button" onClick={() => { forgetApiKey(); setApiKey(null); }}>Sign out</button>
      </header>
      <main key={hash}>{route ? route.r.page(client, ...route.match!.slice(1)) : <Dashboard client={client} />}</main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Console />
  </StrictMode>,
);
