import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './stack/paths.js';

/**
 * `npm run chaos`: the crash suite on a stack of its own (HAVEN_RUN_DIR, default .run/chaos), whose
 * Temporal and Postgres it really restarts. Backups, restores and replications of the sample application
 * while Haven's processes, its movers and its servers are killed at seeded moments; prints each run's seed
 * and the table of faults, outcomes, bytes verified and leftovers. Exit code 1 when a promise broke.
 */
const LONG_RUNS = 50;
const usage = `usage: npm run chaos -- [--runs N] [--seed S] [--replay SEED[,SEED…]] [--faults worker,agent,mover,api,temporal,postgres] [--keep-stack]
  --runs     how many runs (default ${LONG_RUNS})
  --seed     the suite's seed (default: the time); each run's own seed is printed
  --replay   run exactly these runs again, by the seeds a failure printed
  --faults   only these faults`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string' }, seed: { type: 'string' }, replay: { type: 'string' }, faults: { type: 'string' },
    'keep-stack': { type: 'boolean' }, help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

// The stack module reads HAVEN_RUN_DIR when it is loaded: set it first, import after.
process.env.HAVEN_RUN_DIR = resolve(process.env.HAVEN_RUN_DIR ?? join(repoRoot, '.run', 'chaos'));

async function main(): Promise<void> {
  const { FAULT_KINDS } = await import('../test/chaos/harness/faults.js');
  const faults = values.faults?.split(',').map((f) => f.trim()) ?? [...FAULT_KINDS];
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new Error(`--faults: unknown fault(s) ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
  const replay = values.replay?.split(',').map((s) => integer('replay', s.trim(), 0));
  const runs = integer('runs', values.runs, LONG_RUNS);
  const seed = integer('seed', values.seed, Date.now() % 2 ** 31);

  const { up, down } = await import('./stack/stack.js');
  const { logDir } = await import('./stack/paths.js');
  Object.assign(process.env, await up(1));
  const { startHavenSession } = await import('../test/chaos/harness/haven-session.js');
  const { stackServers } = await import('../test/chaos/harness/server-faults.js');
  const { runCrashSuite } = await import('../test/chaos/harness/suite.js');
  const { suiteTable } = await import('../test/chaos/harness/table.js');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`chaos: ${replay ? `replaying ${replay.length} run(s)` : `${runs} runs, suite seed ${seed}`}; logs in ${join(logDir, 'chaos')}`);
  const session = await startHavenSession({ logDir: join(logDir, 'chaos'), servers: stackServers });
  try {
    const result = await runCrashSuite(session, { runs, seed, replay, faults: faults as typeof FAULT_KINDS[number][], log: say });
    say(`\n${session.servers.describe}\n${suiteTable(result)}`);
    if (result.runs.some((r) => r.violation) || result.repositoryProblems.length > 0) process.exitCode = 1;
  } finally {
    await session.close();
    if (!values['keep-stack']) await down();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
