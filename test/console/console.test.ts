import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../../scripts/console/chromium.js';
import { buildConsole } from '../../scripts/console/build.js';
import { startHavenSession, type HavenSession } from '../chaos/harness/haven-session.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { awsUser, createInstance, HAVEN_POLICY_ACTIONS, HOME, useMotoEndpoints } from '../rds/helpers/aws.js';

/** A backup or restore of the sample volumes ends well within this (the emulated cluster is local). */
const RUN_MS = 240_000;
const runDir = process.env.HAVEN_RUN_DIR ?? join(process.cwd(), '.run', 'test');
const screenshots = join(runDir, 'screenshots', 'console');
const logDir = join(runDir, 'logs', 'console');

let session: HavenSession;
let browser: Browser;
let page: Page;
let baseUrl: string;
let apiKey: string;
const definitionName = uniqueName('console-backup');

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const [executablePath, consoleDir] = await Promise.all([ensureChromium(), buildConsole()]);
  // The API's processes inherit the test's environment: this is its HAVEN_CONSOLE_DIR setting.
  process.env.HAVEN_CONSOLE_DIR = consoleDir;
  // The API reaches moto for STS and IAM too (the cloud account check), as its own environment says.
  useMotoEndpoints();
  session = await startHavenSession({
    logDir,
    servers: async (databaseUrl) => ({
      env: { TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'), DATABASE_URL: databaseUrl },
      describe: 'the shared stack',
      restartTemporal: async () => undefined,
      restartPostgres: async () => undefined,
      close: async () => undefined,
    }),
  });
  baseUrl = session.api.baseUrl;
  apiKey = session.apiKey;
  // Root in a container: Chromium's sandbox needs user namespaces it may not have.
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await session?.close();
  process.stdout.write(`console screenshots: ${screenshots}\n`);
});

describe('the web console, in Chromium, against a running Haven', () => {
  it('refuses a wrong key and signs in with the right one', async () => {
    await page.goto(`${baseUrl}/console/`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('401');
    await shoot('01-sign-in-refused');
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('haven.apiKey'))).toBe(apiKey);
  });

  it('shows the cluster ACTIVE and its sample namespaces as not protected', async () => {
    const row = page.getByRole('row', { name: new RegExp(session.prefix) });
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('ACTIVE');
    for (const volume of session.volumes) await expect.poll(() => row.getByTestId('unprotected').textContent()).toContain(volume.namespace);
    await shoot('02-dashboard-unprotected');
  });

  it('validates the backup wizard from the OpenAPI schema, then creates the definition', async () => {
    await page.getByRole('link', { name: 'New backup definition' }).click();
    await page.getByRole('button', { name: 'Create backup definition' }).click();
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('name: must have required property');
    expect(alert).toContain('clusterId: must have required property');
    // Ranges come from the document: concurrentPvs is 1..16 there.
    await expect.poll(() => page.getByLabel('Concurrent PVs', { exact: true }).getAttribute('max')).toBe('16');
    await shoot('03-backup-wizard-invalid');
    await page.getByRole('textbox', { name: 'Name (required)' }).fill(definitionName);
    await page.getByLabel('Cluster ID (required)', { exact: true }).selectOption({ label: `${session.prefix} (ACTIVE)` });
    await page.getByLabel('Scope').selectOption('SELECTED_NAMESPACES');
    await page.getByLabel('Namespaces', { exact: true }).fill(session.volumes.map((v) => v.namespace).join('\n'));
    await shoot('04-backup-wizard-filled');
    await page.getByRole('button', { name: 'Create backup definition' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: new RegExp(definitionName) }).textContent()).toContain('never run');
    const row = page.getByRole('row', { name: new RegExp(session.prefix) });
    await expect.poll(() => row.getByTestId('unprotected').textContent()).not.toContain(session.volumes[0]!.namespace);
  });

  it('runs the backup and follows it live to COMPLETED', async () => {
    await page.getByRole('link', { name: `Run ${definitionName} now` }).click();
    await page.getByLabel('Retention days').fill('3');
    await page.getByRole('button', { name: 'Start the backup' }).click();
    await page.getByText('Status:').waitFor();
    await shoot('05-backup-job-running');
    await expect.poll(() => page.getByText('Status:').textContent(), { timeout: RUN_MS, interval: 1000 }).toContain('COMPLETED');
    expect(await page.getByRole('link', { name: 'Open this run in the Temporal UI' }).getAttribute('href')).toMatch(/^https?:\/\/.+\/workflows\//);
    await shoot('06-backup-job-completed');
  }, RUN_MS + 30_000);

  it('shows the recovery point with its contents and SafeLock state, and restores it into renamed namespaces', async () => {
    await page.getByRole('link', { name: 'Recovery points' }).click();
    await page.getByRole('link', { name: new RegExp(`^${definitionName} at`) }).click();
    await expect.poll(() => page.getByTestId('safelock').textContent()).toMatch(/^SafeLock: /);
    for (const volume of session.volumes) await expect.poll(() => page.getByRole('row', { name: `${volume.namespace}/${volume.dataClaim}` }).count()).toBe(1);
    await shoot('07-recovery-point');
    await page.getByRole('link', { name: 'Restore from this point' }).click();
    await page.getByRole('textbox', { name: 'Name (required)' }).fill(uniqueName('console-restore'));
    const renamed = session.volumes.map((v) => ({ from: v.namespace, to: `${v.namespace}-r` }));
    for (const { to } of renamed) session.cluster.adopt(to);
    await page.getByLabel('Namespace mapping').fill(renamed.map(({ from, to }) => `${from}=${to}`).join('\n'));
    await shoot('08-restore-wizard');
    await page.getByRole('button', { name: 'Create and run the restore' }).click();
    await page.getByText('Status:').waitFor();
    await expect.poll(() => page.getByText('Status:').textContent(), { timeout: RUN_MS, interval: 1000 }).toContain('COMPLETED');
    await shoot('09-restore-job-completed');
    for (const { to } of renamed) {
      const claims = await session.cluster.api.core.listNamespacedPersistentVolumeClaim({ namespace: to });
      expect(claims.items.map((c) => c.metadata?.name)).toContain(session.volumes[0]!.dataClaim);
    }
  }, RUN_MS + 30_000);

  it('explains a failed run: a restore whose storage-class remap names a class the cluster lacks', async () => {
    await page.goBack();
    await page.getByRole('textbox', { name: 'Name (required)' }).waitFor();
    await page.getByRole('textbox', { name: 'Name (required)' }).fill(uniqueName('console-fails'));
    await page.getByLabel('Namespace prefix').fill('bad-');
    await page.getByLabel('Storage class mapping').fill('standard=no-such-class');
    await page.getByRole('button', { name: 'Create and run the restore' }).click();
    await page.getByText('Status:').waitFor();
    await expect.poll(() => page.getByText('Status:').textContent(), { timeout: RUN_MS, interval: 1000 }).toContain('FAILED');
    expect(await page.getByTestId('job-errors').textContent()).toContain('no storage class "no-such-class"');
    await shoot('10-restore-job-failed');
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await expect.poll(() => page.getByRole('row').count()).toBeGreaterThanOrEqual(4);
    await shoot('11-jobs');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: new RegExp(definitionName) }).textContent()).toContain('COMPLETED');
    await shoot('12-dashboard-after');
  }, RUN_MS + 30_000);

  it('creates a replication definition through its wizard with the chosen options, edits it, pauses it and deletes it behind a confirmation', async () => {
    const name = uniqueName('console-replica');
    const source = session.volumes[0]!.namespace;
    await page.getByRole('link', { name: 'Replications' }).click();
    await page.getByRole('link', { name: 'New replication definition' }).click();
    await page.getByRole('textbox', { name: 'Name (required)' }).fill(name);
    await page.getByLabel('Source cluster ID (required)').selectOption({ label: `${session.prefix} (ACTIVE)` });
    const selection = page.getByRole('group', { name: 'Selection' });
    await selection.getByLabel('Scope').selectOption('SELECTED_NAMESPACES');
    await selection.getByLabel('Namespaces', { exact: true }).fill(source);
    // Ranges and defaults come from the document: concurrentPvs is 1..16, default 2.
    const concurrent = page.getByRole('group', { name: 'Advanced' }).getByLabel('Concurrent PVs');
    expect(await concurrent.getAttribute('max')).toBe('16');
    expect(await concurrent.getAttribute('placeholder')).toBe('2');
    await concurrent.fill('4');
    const destination = page.getByRole('group', { name: 'Destination' });
    await destination.getByLabel('Cluster ID (required)').selectOption({ label: `${session.prefix} (ACTIVE)` });
    await destination.getByLabel(/^Namespaces/).fill(`${source}-replica`);
    await page.getByRole('group', { name: 'Transforms' }).getByLabel('Namespace suffix').fill('-replica');
    await page.getByLabel('Run now').uncheck();
    await shoot('13-replication-wizard');
    await page.getByRole('button', { name: 'Create replication definition' }).click();
    await page.getByRole('heading', { name: 'Replication definitions' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect.poll(() => row.textContent()).toContain('never run');
    await shoot('14-replication-definitions');
    const created = (await session.api.findByName<{ name: string; id: string; version: number; selection: unknown; advanced: { concurrentPvs: number }; destination: unknown; transforms: { namespaceSuffix: string } }>('replication-definitions', name))!;
    expect(created.selection).toMatchObject({ scope: 'SELECTED_NAMESPACES', namespaces: [source] });
    expect(created.destination).toEqual({ clusterId: session.clusterId, namespaces: [`${source}-replica`], replaceUnmanagedNamespaces: false });
    expect(created.advanced.concurrentPvs).toBe(4);
    expect(created.transforms.namespaceSuffix).toBe('-replica');

    // A schedule, so that there is something to pause; made before the form opens, which lists the policies once.
    const policy = await session.api.post<{ id: string; name: string }>('/policies', { name: uniqueName('console-daily'), schedules: [{ cron: '0 3 * * *', retentionDays: 7 }] });
    // Edit: the form starts from the stored definition; the change goes back with its version.
    await row.getByRole('link', { name: `Edit ${name}` }).click();
    await page.getByRole('heading', { name: `Edit replication definition ${name}` }).waitFor();
    const edited = page.getByRole('group', { name: 'Advanced' }).getByLabel('Concurrent PVs');
    expect(await edited.inputValue()).toBe('4');
    await edited.fill('6');
    await page.getByLabel('Policy ID').selectOption({ label: policy.name });
    await page.getByRole('button', { name: 'Save replication definition' }).click();
    await page.getByRole('heading', { name: 'Replication definitions' }).waitFor();
    await expect.poll(async () => (await session.api.get<{ advanced: { concurrentPvs: number }; policyId: string }>(`/replication-definitions/${created.id}`)).advanced.concurrentPvs).toBe(6);
    expect((await session.api.get<{ policyId: string }>(`/replication-definitions/${created.id}`)).policyId).toBe(policy.id);

    await row.getByRole('button', { name: `Pause ${name}` }).click();
    await expect.poll(() => row.getByRole('rowheader').textContent()).toBe(`${name} (paused)`);
    expect((await session.api.get<{ paused: boolean }>(`/replication-definitions/${created.id}`)).paused).toBe(true);

    // Delete asks first, in a modal dialog holding the focus; Escape keeps the definition.
    await row.getByRole('button', { name: `Delete ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete replication definition ${name}?` });
    await dialog.waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await shoot('15-delete-confirmation');
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.closest('dialog') !== null")).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: `Delete ${name}` }).click();
    await dialog.getByRole('button', { name: `Delete ${name}` }).click();
    await expect.poll(() => row.count()).toBe(0);
    await expect(session.api.get(`/replication-definitions/${created.id}`)).rejects.toThrow(/404/);
  }, 60_000);

  it('adds an AWS cloud account (the missing permissions shown first), refreshes its inventory and lists its RDS databases, against moto', async () => {
    const database = await createInstance(HOME);
    const [weak, strong] = await Promise.all([awsUser(['rds:Describe*', 'iam:ListAccountAliases']), awsUser(HAVEN_POLICY_ACTIONS)]);
    const account = uniqueName('console-aws');
    await page.getByRole('link', { name: 'Cloud accounts' }).click();
    await page.getByRole('heading', { name: 'Add a cloud account' }).waitFor();
    const addAccount = async (keys: { accessKeyId: string; secretAccessKey: string }) => {
      await page.getByRole('textbox', { name: 'Name (required)' }).fill(account);
      await page.getByLabel('Regions (required)').fill(HOME);
      await page.getByLabel('Auth: kind').selectOption('ACCESS_KEYS');
      await page.getByLabel('Access key ID (required)').fill(keys.accessKeyId);
      await page.getByLabel('Secret access key (required)').fill(keys.secretAccessKey);
      await page.getByRole('button', { name: 'Add cloud account' }).click();
    };
    await addAccount(weak);
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(/^422 unprocessable: .*lacks permissions Haven needs: .*rds:CopyDBSnapshot/);
    await shoot('16-cloud-account-refused');
    await addAccount(strong);
    const row = page.getByRole('row', { name: new RegExp(account) });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.getByRole('button', { name: `Refresh inventory of ${account}` }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^Inventory of ${account}: [1-9]\\d* databases found`));
    await shoot('17-cloud-accounts');
    await page.getByRole('link', { name: 'RDS databases' }).click();
    const listed = page.getByRole('row', { name: new RegExp(`^${database}`) });
    await expect.poll(() => listed.textContent()).toContain(account);
    await shoot('18-rds-databases');
    await page.getByRole('link', { name: 'New RDS backup definition' }).click();
    await expect.poll(() => page.getByLabel('Snapshot timeout minutes').getAttribute('max')).toBe('2880');
    const { id: accountId } = (await session.api.findByName<{ name: string; id: string }>('cloud-accounts', account))!;
    await page.getByLabel('Cloud account ID (required)').selectOption(accountId);
    await shoot('19-rds-backup-wizard');
  }, 120_000);
});
