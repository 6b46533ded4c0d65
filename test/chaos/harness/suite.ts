import type { JobView } from '../../../scripts/demo/job-watch.js';
import { parseKeyring } from '../../../lib/common/secrets.js';
import { verifyRepository } from '../../../lib/datamover/maintenance/verify.js';
import { connectDatabase } from '../../../lib/db/client.js';
import { openRepositoryOf } from '../../backup/helpers/run-repository.js';
import { FAULT_KINDS, strike, type FaultKind, type InjectedFault } from './faults.js';
import type { HavenSession } from './haven-session.js';
import { leftoversAfterRun } from './leftovers.js';
import { RUN_KINDS, Scenarios, jobOutcome, type RunKind, type StartedRun } from './scenarios.js';
import { SeededRandom, runSeed } from '../../support/seeded-random.js';

/** One run of the suite, as the table and a replay need it. */
export interface RunRecord {
  index: number;
  seed: number;
  kind: RunKind;
  fault: InjectedFault;
  status: string;
  message: string;
  /** When the faulted run FAILED: the status of the same run again, without a fault. */
  rerun?: string;
  bytesVerified: number;
  leftovers: string[];
  /** From the start of the run to the end of its checks. */
  durationMs: number;
  /** What broke the promise (a wrong outcome, a digest mismatch, leftovers), if anything. */
  violation?: string;
}

export interface SuiteResult {
  runs: RunRecord[];
  repositoryProblems: string[];
  snapshotsVerified: number;
}

export interface SuiteOptions {
  runs: number;
  seed: number;
  faults?: readonly FaultKind[];
  /**
   * Each fault in turn (run i gets faults[i mod n]) instead of a seeded pick: a short suite still meets
   * every fault. The seed is drawn from the same way, so `--faults <kind> --replay <seed>` replays a run.
   */
  cycleFaults?: boolean;
  /** Seeds of single runs to replay (a failure's printed seed) instead of the ones `seed` derives. */
  replay?: readonly number[];
  log?: (line: string) => void;
}

/**
 * The crash suite: `runs` backups, restores and replications of the sample application, each with one
 * fault at a seeded moment. A run must end COMPLETED, or FAILED with a reason and then COMPLETE when run
 * again; a COMPLETED restore or replication must reproduce every volume's digest; nothing labelled with
 * a job may be left behind. The repository is verified at the end.
 */
export async function runCrashSuite(session: HavenSession, options: SuiteOptions): Promise<SuiteResult> {
  const log = options.log ?? (() => undefined);
  const scenarios = new Scenarios(session);
  const faults = options.faults ?? FAULT_KINDS;
  const runs: RunRecord[] = [];
  const total = options.replay?.length ?? options.runs;
  for (let index = 0; index < total; index++) {
    const seed = options.replay?.[index] ?? runSeed(options.seed, index);
    const random = new SeededRandom(seed);
    const drawn = random.pick(RUN_KINDS);
    // A restore needs a recovery point: until a backup has completed, the run is a backup.
    const kind: RunKind = drawn === 'restore' && !scenarios.hasRecoveryPoint() ? 'backup' : drawn;
    const picked = random.pick(faults);
    const fault = options.cycleFaults ? faults[index % faults.length]! : picked;
    const record = await faultedRun(session, scenarios, { index, seed, kind, fault, random });
    runs.push(record);
    log(`run ${index + 1}/${total} seed ${seed}: ${kind} + ${record.fault.kind}${record.fault.injected ? '' : ' (not injected)'} → ${record.status} in ${Math.round(record.durationMs / 1000)} s` +
      `${record.rerun ? `, rerun ${record.rerun}` : ''}${record.violation ? ` ✗ ${record.violation}` : ''}`);
  }
  const verified = await verifySessionRepository(session);
  return { runs, ...verified };
}

async function faultedRun(
  session: HavenSession,
  scenarios: Scenarios,
  run: { index: number; seed: number; kind: RunKind; fault: FaultKind; random: SeededRandom },
): Promise<RunRecord> {
  const startedAt = Date.now();
  const record: RunRecord = {
    index: run.index, seed: run.seed, kind: run.kind, fault: { kind: run.fault, injected: false, atMs: 0, downtimeMs: 0, detail: 'the run did not start' },
    status: 'NOT STARTED', message: '', bytesVerified: 0, leftovers: [], durationMs: 0,
  };
  let started: StartedRun | undefined;
  let striking: Promise<InjectedFault> | undefined;
  try {
    started = await scenarios.start(run.kind);
    let done = false;
    striking = strike(session, run.fault, run.random, () => !done);
    const job = await jobOutcome(session, started.job.id).finally(() => (done = true));
    record.fault = await striking;
    record.status = job.status;
    record.message = job.message;
    await judge(session, scenarios, run.kind, started, job, record);
  } catch (err) {
    // A run that never ends, or a step of the driver that fails, is recorded against its seed; the
    // suite goes on, so one broken run does not hide what the others show.
    record.violation = err instanceof Error ? err.message : String(err);
  }
  // Whatever happened, the fault is over before the checks: the next run must not start while a server is down.
  if (striking) record.fault = await striking.catch((err: unknown) => ({ ...record.fault, detail: `the fault itself failed: ${String(err)}` }));
  record.leftovers = await leftoversAfterRun(session.cluster, started?.leftovers);
  if (record.leftovers.length > 0) record.violation ??= `left behind: ${record.leftovers.join(', ')}`;
  await started?.cleanup().catch((err: unknown) => (record.violation ??= `cleanup failed: ${String(err)}`));
  record.durationMs = Date.now() - startedAt;
  return record;
}

/** Holds an ended run to the promise: COMPLETED with its data intact, or FAILED with a reason and then COMPLETED. */
async function judge(session: HavenSession, scenarios: Scenarios, kind: RunKind, started: StartedRun, job: JobView, record: RunRecord): Promise<void> {
  if (job.status === 'COMPLETED') {
    record.bytesVerified = await started.verify();
  } else if (job.status === 'FAILED' && job.message) {
    // The promise for a failure: it says why, and the same run without a fault completes.
    const again = await scenarios.start(kind);
    try {
      const rerun = await jobOutcome(session, again.job.id);
      record.rerun = rerun.status;
      if (rerun.status !== 'COMPLETED') record.violation = `the rerun after a FAILED run ended ${rerun.status}: ${rerun.message}`;
      else record.bytesVerified = await again.verify();
    } finally {
      await again.cleanup();
    }
  } else {
    record.violation = `ended ${job.status}: ${job.message || '(no reason given)'}`;
  }
}

/** `verify` of the session's repository: structurally, plus every pack read in full. */
async function verifySessionRepository(session: HavenSession): Promise<{ repositoryProblems: string[]; snapshotsVerified: number }> {
  const database = connectDatabase(session.keys.databaseUrl, { max: 1 });
  try {
    const repository = await openRepositoryOf(database.db, parseKeyring(session.keys.HAVEN_SECRET_KEY), session.storageTargetId);
    const report = await verifyRepository(repository, { readData: true });
    return { repositoryProblems: report.problems.map((p) => JSON.stringify(p)), snapshotsVerified: report.snapshots };
  } finally {
    await database.close();
  }
}
