import { markdownTable, round2, type Row, type Workload } from './report.js';

/** Haven's wall time must be at most this share of the reference tool's (issue 19: "≥ 1.5× kopia's"). */
const SPEEDUP = 1.5;
/** An incremental after scattered page writes stores at most this many times the bytes written. */
const MAX_ADDED_PER_CHANGED = 10;
/** Families whose change is scattered in-place block writes, where the 10× target applies. */
const SCATTERED_WRITE_FAMILIES = new Set(['database', 'vm-image']);

interface Check {
  target: string;
  /** Haven's figure against the reference, as the target states it; met when ≥ 1 (speed-ups) or ≤ 1. */
  measured: string;
  met: boolean;
}

function seconds(rows: readonly Row[], workload: Workload, tool: string): number | undefined {
  return rows.find((row) => row.workload === workload && row.tool === tool)?.seconds;
}

function speedCheck(rows: readonly Row[], workload: Workload, references: string[]): Check | undefined {
  const haven = seconds(rows, workload, 'haven');
  const reference = Math.min(...references.map((tool) => seconds(rows, workload, tool) ?? Infinity));
  if (haven === undefined || reference === Infinity) return undefined;
  const speedup = reference / haven;
  return { target: `${workload} ≥ ${SPEEDUP}× faster than ${references.join('/')}`, measured: `${round2(speedup)}×`, met: speedup >= SPEEDUP };
}

function checks(rows: readonly Row[]): Check[] {
  const result: (Check | undefined)[] = [
    speedCheck(rows, '1-first-backup', ['kopia']),
    speedCheck(rows, '2-incremental', ['kopia']),
    speedCheck(rows, '4-full-restore', ['restic', 'kopia']),
  ];
  const stored = (tool: string) => rows.find((row) => row.workload === '3-unchanged-rerun' && row.tool === tool)?.stored_bytes;
  const haven = stored('haven');
  const others = Math.min(stored('restic') ?? Infinity, stored('kopia') ?? Infinity);
  if (haven !== undefined && others !== Infinity) result.push({ target: 'stored ≤ smaller of restic/kopia', measured: `${round2(haven / others)}×`, met: haven <= others });
  const incremental = rows.find((row) => row.workload === '2-incremental' && row.tool === 'haven');
  if (incremental?.added_per_changed != null && SCATTERED_WRITE_FAMILIES.has(incremental.family))
    result.push({ target: `incremental stores ≤ ${MAX_ADDED_PER_CHANGED}× the bytes written`, measured: `${incremental.added_per_changed}×`, met: incremental.added_per_changed <= MAX_ADDED_PER_CHANGED });
  return result.filter((check) => check !== undefined);
}

/** Issue 19's targets, family by family and target by target, from the cells measured. */
export function printTargets(rows: readonly Row[]): void {
  const table: string[][] = [];
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(`${row.family} ${row.target}`, [...(groups.get(`${row.family} ${row.target}`) ?? []), row]);
  for (const [group, cells] of groups) for (const check of checks(cells)) table.push([...group.split(' '), check.target, check.measured, check.met ? 'met' : 'missed']);
  console.log();
  console.log(markdownTable(['family', 'target', 'goal', 'haven', 'verdict'], table));
}
