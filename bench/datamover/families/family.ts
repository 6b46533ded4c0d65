import { open } from 'node:fs/promises';

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** How big the generated data is: `scale` multiplies every family's size; `tinyFiles` overrides one count. */
export interface Scale {
  scale: number;
  /** Files in the tiny-files family (default 100k × scale; millions work, slowly). */
  tinyFiles?: number;
}

export interface Generated {
  files: number;
  bytes: number;
}

/** One dataset family: generated from a seed under `root`, then changed the way such data changes. */
export interface Family {
  name: string;
  /** One line for the bench's log and README. */
  summary: string;
  generate(root: string, scale: Scale): Promise<Generated>;
  /** Applies the change pattern; returns the bytes written (deleted and renamed files count nothing). */
  change(root: string, scale: Scale): Promise<{ changedBytes: number }>;
}

/** `value × scale`, rounded, at least `minimum`. */
export function scaled(value: number, scale: Scale, minimum: number): number {
  return Math.max(minimum, Math.round(value * scale.scale));
}

/** Writes `length` bytes produced `block` at a time by `produce(offset, length)`. */
export async function writeFileInBlocks(path: string, length: number, block: number, produce: (offset: number, length: number) => Buffer): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let offset = 0; offset < length; offset += block) await handle.write(produce(offset, Math.min(block, length - offset)));
  } finally {
    await handle.close();
  }
}

/** Positional writes into an existing file (page updates, blocks landing in a sparse file's holes). */
export async function writeAt(path: string, writes: Iterable<{ offset: number; bytes: Buffer }>): Promise<number> {
  const handle = await open(path, 'r+');
  let written = 0;
  try {
    for (const { offset, bytes } of writes) {
      await handle.write(bytes, 0, bytes.length, offset);
      written += bytes.length;
    }
  } finally {
    await handle.close();
  }
  return written;
}
