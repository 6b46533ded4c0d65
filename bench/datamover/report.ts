export type Workload = '1-first-backup' | '2-incremental' | '3-unchanged-rerun' | '4-full-restore';

/** One cell: a family, a workload, a target and a tool. */
export interface Row {
  family: string;
  workload: Workload;
  target: string;
  tool: string;
  seconds: number;
  mb_per_s: number;
  files_per_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  /** What the repository holds after the workload. */
  stored_bytes: number;
  /** What the workload added to it. */
  added_bytes: number;
  /** Incremental only: added bytes over the bytes the family's change wrote. */
  added_per_changed: number | null;
  objects: number;
  load_1m: number;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

const COLUMNS = ['family', 'workload', 'target', 'tool', 'seconds', 'mb_per_s', 'files_per_s', 'cpu_s', 'peak_rss_mb', 'stored_bytes', 'added_bytes', 'added_per_changed', 'objects', 'load_1m'] as const;

/** A Markdown table, as pasted into bench/README.md. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function printTable(rows: readonly Row[]): void {
  console.log(markdownTable(COLUMNS, rows.map((row) => COLUMNS.map((column) => String(row[column] ?? '')))));
}
