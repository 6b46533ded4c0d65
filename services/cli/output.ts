import { stringify } from 'yaml';
import { UsageError } from './command.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(value: string | undefined): OutputFormat {
  const format = value ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`-o "${format}" is not one of ${OUTPUT_FORMATS.join(', ')}`);
  return format as OutputFormat;
}

/**
 * What a command prints: the API's objects unchanged for json and yaml (so scripts read exactly what
 * the API answered), and the human view for table.
 */
export function render(format: OutputFormat, data: unknown, human: () => string): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (format === 'yaml') return stringify(data);
  const text = human();
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

/** Columns as kubectl and Velero print them: upper-case headers, left-aligned, three spaces apart. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

/** `Key:  value` lines, with nested sections indented, as `velero describe` prints. */
export function describe(sections: [string, string | string[] | undefined][]): string {
  const width = Math.max(...sections.map(([key]) => key.length)) + 2;
  return sections
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      Array.isArray(value)
        ? `${key}:${value.length === 0 ? '  <none>' : `\n${value.map((item) => `  ${item}`).join('\n')}`}`
        : `${`${key}:`.padEnd(width)}${value === '' ? '<none>' : value}`,
    )
    .join('\n') + '\n';
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** 75 → 1m15s; 3700 → 1h01m40s. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Timestamps as the API gives them, without milliseconds: 2025-01-02 03:04:05Z. */
export const formatTime = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

export const formatTags = (tags: Record<string, string> | undefined): string =>
  Object.entries(tags ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
