import { parseArgs } from 'node:util';
import type { CommandSpec, OptionSpec, ParsedValues } from './command.js';
import { UsageError } from './command.js';

/** Flags every command takes, anywhere on the line. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  server: { type: 'string', value: 'URL', description: 'the Haven API (env HAVEN_SERVER, config file server:; default http://127.0.0.1:8080)' },
  'api-key': { type: 'string', value: 'KEY', description: 'an API key (env HAVEN_API_KEY, config file apiKey:)' },
  output: { type: 'string', short: 'o', value: 'table|json|yaml', description: 'output format (default table)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export interface Invocation {
  /** The command words found: none, a group, or a group and a verb. */
  words: string[];
  command?: CommandSpec;
  arguments: string[];
  values: ParsedValues;
}

const valueTaking = (options: Record<string, OptionSpec>) =>
  new Set(Object.entries(options).flatMap(([name, spec]) => (spec.type === 'string' ? [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])] : [])));

/** The first two words that are neither flags nor a global flag's value: `haven -o json backup get`. */
function commandWords(argv: string[]): { words: string[]; rest: string[] } {
  const takesValue = valueTaking(GLOBAL_OPTIONS);
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (token.startsWith('-')) {
      rest.push(token);
      if (takesValue.has(token) && i + 1 < argv.length) rest.push(argv[++i]!);
      continue;
    }
    if (words.length < 2) words.push(token);
    else rest.push(token);
  }
  return { words, rest };
}

/** Plurals and Velero's own words name the same groups. */
const GROUP_ALIASES: Record<string, string> = { clusters: 'cluster', backups: 'backup', restores: 'restore', jobs: 'job', points: 'point', 'recovery-point': 'point', 'recovery-points': 'point', notifications: 'notification' };

export function findCommand(commands: CommandSpec[], words: string[]): CommandSpec | undefined {
  const [group, verb] = words;
  if (!group || !verb) return undefined;
  const canonical = GROUP_ALIASES[group] ?? group;
  return commands.find((command) => command.group === canonical && (command.verb === verb || command.aliases?.includes(verb)));
}

export const groupOf = (word: string | undefined) => (word ? (GROUP_ALIASES[word] ?? word) : undefined);

/** Parses the line against the command's own flags and the global ones; unknown flags are usage errors. */
export function parseInvocation(commands: CommandSpec[], argv: string[]): Invocation {
  const { words, rest } = commandWords(argv);
  const command = findCommand(commands, words);
  const options = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) };
  let parsed: { values: ParsedValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    }) as { values: ParsedValues; positionals: string[] };
  } catch (error) {
    // parseArgs' messages name the flag; their second sentence is advice for programmers, not users.
    throw new UsageError((error as Error).message.split('. ')[0]!.replace(/^Unknown option '(.*)'$/, 'unknown flag $1'));
  }
  return { words, ...(command ? { command } : {}), arguments: parsed.positionals, values: parsed.values };
}
