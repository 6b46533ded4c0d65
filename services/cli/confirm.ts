import { createInterface } from 'node:readline/promises';
import { UsageError } from './command.js';
import type { CommandContext } from './command.js';

/**
 * Deleting asks first, as Velero does: `--confirm` answers yes; on a terminal the user is asked; otherwise
 * (a script without --confirm) nothing is deleted.
 */
export async function confirmed(context: CommandContext, question: string): Promise<boolean> {
  if (context.values.confirm === true) return true;
  if (!process.stdin.isTTY) throw new UsageError(`${question.replace(/\?$/, '')}: pass --confirm to delete without being asked`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

export const CONFIRM_OPTION = { confirm: { type: 'boolean', description: 'delete without asking' } } as const;
