import { FAULT_KINDS } from './faults.js';
import { RUN_KINDS } from './scenarios.js';
import type { SuiteResult } from './suite.js';

const MiB = 1024 * 1024;

/** The suite's figures as the issue asks for them: faults injected, runs, outcomes, bytes verified, leftovers. */
export function suiteTable(result: SuiteResult): string {
  const { runs } = result;
  const count = (test: (r: SuiteResult['runs'][number]) => boolean) => runs.filter(test).length;
  const rows: [string, string][] = [
    ['runs', `${runs.length} (${RUN_KINDS.map((k) => `${count((r) => r.kind === k)} ${k}`).join(', ')})`],
    ['faults injected', `${count((r) => r.fault.injected)} (${FAULT_KINDS.map((k) => `${count((r) => r.fault.kind === k && r.fault.injected)} ${k}`).join(', ')})`],
    ['faults not reached', `${count((r) => !r.fault.injected)} (the run ended, or started no mover, before the fault struck)`],
    ['COMPLETED', String(count((r) => r.status === 'COMPLETED'))],
    ['FAILED with a reason, rerun COMPLETED', String(count((r) => r.status === 'FAILED' && r.rerun === 'COMPLETED'))],
    ['promise broken', String(count((r) => r.violation !== undefined))],
    ['bytes verified by digest', `${(runs.reduce((sum, r) => sum + r.bytesVerified, 0) / MiB).toFixed(1)} MiB`],
    ['leftovers found', String(runs.reduce((sum, r) => sum + r.leftovers.length, 0))],
    ['repository verify', result.repositoryProblems.length === 0 ? `clean (${result.snapshotsVerified} snapshots, every pack read)` : `${result.repositoryProblems.length} problem(s)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const failures = runs.filter((r) => r.violation !== undefined).map((r) => `  seed ${r.seed} (${r.kind} + ${r.fault.kind}): ${r.violation}`);
  return [...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`), ...(failures.length > 0 ? ['failures (replay one with `npm run chaos -- --faults <fault> --replay <seed>`):', ...failures] : [])].join('\n') + '\n';
}
