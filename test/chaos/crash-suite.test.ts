import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHavenSession, type HavenSession } from './harness/haven-session.js';
import { privateServers } from './harness/server-faults.js';
import { runCrashSuite, type SuiteResult } from './harness/suite.js';
import { suiteTable } from './harness/table.js';
import type { FaultKind } from './harness/faults.js';

/**
 * The crash suite's short run inside `npm test` (`npm run chaos` is the long one, ≥ 50 runs): one run per
 * fault, in turn, on a fixed seed. Temporal is the suite's own dev server and Postgres is cut through a
 * proxy, because the stack's servers are shared with the other test files.
 */
const SEED = 21;
const FAULTS: readonly FaultKind[] = ['worker', 'mover', 'temporal', 'postgres', 'agent', 'api'];

let workDir: string;
let session: HavenSession;
let result: SuiteResult;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'haven-chaos-'));
  session = await startHavenSession({
    logDir: join(workDir, 'logs'), workflowBundlePath: inject('workflowBundlePath'), servers: (databaseUrl) => privateServers(join(workDir, 'temporal'), databaseUrl),
  });
  result = await runCrashSuite(session, { runs: FAULTS.length, seed: SEED, faults: FAULTS, cycleFaults: true, log: (line) => console.log(`[chaos] ${line}`) });
  console.log(`[chaos] ${session.servers.describe}\n${suiteTable(result)}`);
}, 1_500_000);

afterAll(async () => {
  await session?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('backups, restores and replications while processes crash and servers restart', () => {
  it('ends every run COMPLETED, or FAILED with a reason and COMPLETED when run again', () => {
    expect(result.runs.filter((r) => r.violation).map((r) => `seed ${r.seed} ${r.kind}+${r.fault.kind}: ${r.violation}`)).toEqual([]);
    for (const run of result.runs) expect(run.status === 'COMPLETED' || (run.status === 'FAILED' && run.message !== '' && run.rerun === 'COMPLETED')).toBe(true);
  });

  it('struck with most faults while the run was in flight', () => {
    expect(result.runs.filter((r) => r.fault.injected).length).toBeGreaterThanOrEqual(FAULTS.length - 1);
  });

  it('restored and replicated every volume byte for byte', () => {
    expect(result.runs.some((r) => r.kind !== 'backup')).toBe(true);
    expect(result.runs.reduce((sum, r) => sum + r.bytesVerified, 0)).toBeGreaterThan(0);
  });

  it('leaves no mover pod, temporary claim, per-job Secret or snapshot behind, and a repository that verifies', () => {
    expect(result.runs.flatMap((r) => r.leftovers)).toEqual([]);
    expect(result.repositoryProblems).toEqual([]);
    expect(result.snapshotsVerified).toBeGreaterThan(0);
  });
});
