import { StrictMode, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { clientFor, forgetApiKey, storedApiKey } from './session.js';
import type { HavenClient } from './use-api.js';
import { BackupWizard, RunDefinition } from './pages/backup-wizard.js';
import { Dashboard } from './pages/dashboard.js';
import { JobList, JobPage } from './pages/jobs.js';
import { RecoveryPointList, RecoveryPointPage } from './pages/recovery-points.js';
import { RestoreWizard } from './pages/restore-wizard.js';
import { SignIn } from './pages/sign-in.js';

/** Hash routes: the API serves one index.html, and a reload keeps the page. */
const ROUTES: { pattern: RegExp; page(client: HavenClient, ...ids: string[]): ReactNode }[] = [
  { pattern: /^#\/backup-definitions\/new$/, page: (client) => <BackupWizard client={client} /> },
  { pattern: /^#\/backup-definitions\/([^/]+)\/run$/, page: (client, id) => <RunDefinition client={client} id={id!} /> },
  { pattern: /^#\/jobs$/, page: (client) => <JobList client={client} /> },
  { pattern: /^#\/jobs\/([^/]+)$/, page: (client, id) => <JobPage client={client} id={id!} /> },
  { pattern: /^#\/recovery-points$/, page: (client) => <RecoveryPointList client={client} /> },
  { pattern: /^#\/recovery-points\/([^/]+)$/, page: (client, id) => <RecoveryPointPage client={client} id={id!} /> },
  { pattern: /^#\/recovery-points\/([^/]+)\/restore$/, page: (client, id) => <RestoreWizard client={client} pointId={id!} /> },
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
            <li><a href="#/">Dashboard</a></li>
            <li><a href="#/backup-definitions/new">New backup</a></li>
            <li><a href="#/jobs">Jobs</a></li>
            <li><a href="#/recovery-points">Recovery points</a></li>
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
