import { createPolicy, expectStatus, unique } from '../../api/helpers/fixtures.js';
import type { Client } from '../../api/helpers/test-api.js';
import { eventually } from '../../emulator/helpers/cluster.js';
import { cloudAccountBody, HOME } from './aws.js';

export interface JobView {
  id: string;
  kind: string;
  status: string;
  message: string;
  skipReason: string | null;
  errors: { message: string; resource?: string }[];
  temporalUiUrl: string;
}

/** An account of a fresh IAM user with Haven's permissions, covering both test regions. */
export async function createCloudAccount(client: Client, body: Record<string, unknown> = {}) {
  return expectStatus<{ id: string; name: string }>(await client.post('/cloud-accounts', { ...(await cloudAccountBody(unique('aws'))), ...body }), 201);
}

export async function createRdsDefinition(client: Client, body: Record<string, unknown>) {
  return expectStatus<{ id: string; name: string; version: number }>(await client.post('/rds-backup-definitions', { name: unique('rds'), region: HOME, databaseType: 'INSTANCE', ...body }), 201);
}

/** Runs the definition now and waits for its job to end. */
export async function runRds(client: Client, definitionId: string, body: Record<string, unknown> = {}): Promise<JobView> {
  const started = expectStatus<JobView>(await client.post(`/rds-backup-definitions/${definitionId}/actions/run`, body), 202);
  return untilJobEnds(client, started.id);
}

export async function untilJobEnds(client: Client, jobId: string): Promise<JobView> {
  let job: JobView | undefined;
  await eventually(async () => {
    job = expectStatus<JobView>(await client.get(`/jobs/${jobId}`), 200);
    return job.status !== 'RUNNING';
  }, `job ${jobId} to end`);
  return job!;
}

export interface PointView {
  id: string;
  type: string;
  sourceType: string;
  clusterName: string;
  expiresAt: string;
  storageTargetId: string | null;
  rds: { region: string; snapshotIdentifier: string; databaseIdentifier: string; copiedFrom?: { region: string } } | null;
}

export async function pointsOfDefinition(client: Client, definitionId: string): Promise<PointView[]> {
  return expectStatus<{ items: PointView[] }>(await client.get(`/recovery-points?definitionId=${definitionId}&sourceType=awsrds`), 200).items;
}

/** What most RDS test files start from: an account covering both regions, a daily policy (7 days) and a weekly copy policy (30 days). */
export async function rdsFixtures(client: Client): Promise<{ accountId: string; policyId: string; copyPolicyId: string }> {
  const accountId = (await createCloudAccount(client)).id;
  const policyId = (await createPolicy(client, { schedules: [{ cron: '0 3 * * *', retentionDays: 7 }] })).id;
  const copyPolicyId = (await createPolicy(client, { schedules: [{ cron: '0 4 * * 0', retentionDays: 30 }] })).id;
  return { accountId, policyId, copyPolicyId };
}
