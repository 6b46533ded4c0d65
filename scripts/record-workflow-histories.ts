/**
 * Records workflow histories into test/workflows/fixtures/histories/ for test/workflows/replay.test.ts.
 *
 * The histories come from real runs of the real workflows: the workflow step tests
 * (test/workflows/*-steps.test.ts) run every workflow path they cover on a Temporal dev server, and with
 * HAVEN_RECORD_HISTORIES set their harness writes each run's history (and its children's) to the folder.
 * Record again after a deliberate change of a workflow's commands, and keep the histories of the runs a
 * deployed version may still have in flight (see docs/upgrading.md).
 *
 *   npx tsx scripts/record-workflow-histories.ts
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_HISTORIES_ENV } from '../test/workflows/helpers/history-recorder.js';
import { repoRoot } from './stack/paths.js';

export const HISTORIES_DIR = join(repoRoot, 'test', 'workflows', 'fixtures', 'histories');

const STEP_TESTS = ['test/workflows/backup-steps.test.ts', 'test/workflows/restore-steps.test.ts', 'test/workflows/replication-steps.test.ts'];

rmSync(HISTORIES_DIR, { recursive: true, force: true });
const vitest = spawnSync(join(repoRoot, 'node_modules', '.bin', 'vitest'), ['run', ...STEP_TESTS], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, [RECORD_HISTORIES_ENV]: HISTORIES_DIR },
});
if (vitest.status !== 0) {
  console.error('the workflow step tests failed: histories not recorded');
  process.exit(1);
}
console.log(`recorded ${readdirSync(HISTORIES_DIR).length} histories into ${HISTORIES_DIR}`);
