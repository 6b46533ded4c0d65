/** CSI escape sequences (cursor moves, clears, colours) as `haven` writes them to a terminal. */
const ESCAPE_SEQUENCE = new RegExp(String.raw`\u001b\[[0-9;?]*[A-Za-z]`, 'g');

/** What was written to a terminal, as lines of text: escape sequences and carriage returns removed. */
export function terminalLines(raw: string): string[] {
  return raw.replace(ESCAPE_SEQUENCE, '').replace(/\r/g, '').split('\n');
}

const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
const SIZE = String.raw`([\d.]+) (B|KiB|MiB|GiB|TiB)`;

/** `6.0` `MiB` read back into bytes (as exact as the printed figure). */
export const printedBytes = (value: string, unit: string): number => Number(value) * UNIT_BYTES[unit]!;

/** Figures as `haven` prints them: `52%  1.2 MiB / 2.3 MiB  files 3 / 40`, the share only with an expected size. */
export interface PrintedFigures {
  percent: number | null;
  bytesDone: number;
  bytesExpected: number | null;
  filesDone: number;
  filesExpected: number | null;
}

const FIGURES = new RegExp(String.raw`(?:(\d+)%  )?${SIZE}(?: / ${SIZE})?  files (\d+)(?: / (\d+))?`);

/** The figures of one printed line (a bar, a volume's line, a plain progress line), read back into numbers. */
export function printedFigures(line: string): PrintedFigures | undefined {
  const match = FIGURES.exec(line);
  if (!match) return undefined;
  const [, percent, done, doneUnit, expected, expectedUnit, filesDone, filesExpected] = match;
  return {
    percent: percent === undefined ? null : Number(percent),
    bytesDone: printedBytes(done!, doneUnit!),
    bytesExpected: expected === undefined ? null : printedBytes(expected, expectedUnit!),
    filesDone: Number(filesDone),
    filesExpected: filesExpected === undefined ? null : Number(filesExpected),
  };
}
