import type { HavenClient } from '../../lib/client/client.js';
import type { OutputFormat } from './output.js';

/** One flag of a command, as node:util parseArgs takes it, with its help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** What the value is, in help: `--cluster NAME|ID`. */
  value?: string;
  description: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command runs with: the API client, where it prints, and what the user asked. */
export interface CommandContext {
  client: HavenClient;
  /** How to reach the API outside the generated client (the job event stream). */
  connection: { server: string; apiKey: string };
  output: OutputFormat;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  arguments: string[];
  values: ParsedValues;
}

/** `haven <group> <verb> [arguments] [flags]`, Velero's shape. */
export interface CommandSpec {
  group: string;
  verb: string;
  /** Other verbs that name this command (`list` for `get`). */
  aliases?: string[];
  /** Positional arguments in help, e.g. `NAME|ID`. */
  usage: string;
  summary: string;
  /** Longer help: examples, what happens. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Positional arguments: how many are required and allowed. */
  arity: { min: number; max: number };
  run(context: CommandContext): Promise<void>;
}

/** A mistake in how the CLI was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Any other failure the user can act on (a name that matches nothing, a job that failed): exit code 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

export const stringValue = (values: ParsedValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

export const stringValues = (values: ParsedValues, name: string): string[] => {
  const value = values[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
};

/** Comma-separated or repeated flags (`--include-namespaces a,b --include-namespaces c`). */
export const listValues = (values: ParsedValues, name: string): string[] =>
  stringValues(values, name)
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');

export function integerValue(values: ParsedValues, name: string): number | undefined {
  const raw = stringValue(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} "${raw}" is not a whole number`);
  return Number(raw);
}
