import { GLOBAL_OPTIONS } from './arguments.js';
import type { CommandSpec, OptionSpec } from './command.js';

const flagLines = (options: Record<string, OptionSpec>) => {
  const flags = Object.entries(options).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`,
    `${spec.description}${spec.multiple ? ' (repeatable)' : ''}`,
  ]);
  const width = Math.max(...flags.map(([flag]) => flag!.length));
  return flags.map(([flag, description]) => `  ${flag!.padEnd(width)}   ${description}`);
};

const GLOBAL_FLAGS = () => ['Global flags:', ...flagLines(GLOBAL_OPTIONS)];

const CONFIGURATION = [
  'Configuration: flags win over the environment (HAVEN_SERVER, HAVEN_API_KEY), which wins over the config',
  'file ($HAVEN_CONFIG, default ~/.config/haven/config.yaml) with `server:` and `apiKey:`.',
];

const commandLine = (command: CommandSpec) => `haven ${command.group} ${command.verb}${command.usage ? ` ${command.usage}` : ''}`;

export function mainHelp(commands: CommandSpec[]): string {
  const width = Math.max(...commands.map((command) => commandLine(command).length));
  return [
    'haven: back up, restore and watch Kubernetes clusters through the Haven API.',
    '',
    'Usage: haven <group> <verb> [arguments] [flags]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${commandLine(command).padEnd(width)}   ${command.summary}`),
    '',
    ...GLOBAL_FLAGS(),
    '',
    ...CONFIGURATION,
    '',
    'Run `haven <group> <verb> --help` for a command\'s flags. Exit codes: 0 done, 1 failed (an API error, a job',
    'that did not complete), 2 wrong usage.',
    '',
  ].join('\n');
}

export function groupHelp(commands: CommandSpec[], group: string): string {
  return mainHelp(commands.filter((command) => command.group === group));
}

export function commandHelp(command: CommandSpec): string {
  const own = Object.keys(command.options).length > 0 ? ['Flags:', ...flagLines(command.options), ''] : [];
  const aliases = command.aliases?.length ? [`Also: ${command.aliases.map((alias) => `haven ${command.group} ${alias}`).join(', ')}`, ''] : [];
  return [`Usage: ${commandLine(command)} [flags]`, '', command.summary + '.', ...(command.details ? ['', command.details] : []), '', ...aliases, ...own, ...GLOBAL_FLAGS(), ''].join('\n');
}
