import { havenClient, ApiProblem } from '../../lib/client/client.js';
import { groupOf, parseInvocation } from './arguments.js';
import type { CommandSpec } from './command.js';
import { CommandFailed, stringValue, UsageError } from './command.js';
import { backupCommands } from './commands/backups.js';
import { clusterCommands } from './commands/clusters.js';
import { jobCommands } from './commands/jobs.js';
import { pointBrowseCommands } from './commands/point-browse.js';
import { pointCommands } from './commands/points.js';
import { restoreCommands } from './commands/restores.js';
import { rdsCommands } from './commands/rds.js';
import { drillCommands } from './commands/drills.js';
import { notificationCommands } from './commands/notifications.js';
import { storageCommands } from './commands/storage.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import { outputFormat } from './output.js';
import { resolveSettings } from './settings.js';

export const COMMANDS: CommandSpec[] = [
  ...clusterCommands,
  ...backupCommands,
  ...restoreCommands,
  ...drillCommands,
  ...storageCommands,
  ...jobCommands,
  ...pointCommands,
  ...pointBrowseCommands,
  ...rdsCommands,
  ...notificationCommands,
];

/** Exit codes: scripts tell a failed operation from a mistyped command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

/** What went wrong, in one line: never a stack trace. */
function failureLine(error: unknown, server: string | undefined): string {
  if (error instanceof ApiProblem || error instanceof UsageError || error instanceof CommandFailed) return error.message;
  // fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a DNS failure) is its cause.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof TypeError && cause) return `cannot reach ${server ?? 'the API'}: ${cause.code ?? cause.message ?? String(cause)}`;
  return `unexpected error: ${(error as Error)?.message ?? String(error)}`.replace(/[\r\n]+/g, ' ');
}

/** Runs one command line; returns the exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, { stdout, stderr }: Streams): Promise<number> {
  let server: string | undefined;
  try {
    const invocation = parseInvocation(COMMANDS, argv);
    const { command, values, words } = invocation;
    const group = groupOf(words[0]);
    if (!command) {
      const known = COMMANDS.some((spec) => spec.group === group);
      if (values.help === true || words.length === 0) {
        stdout.write(known ? groupHelp(COMMANDS, group!) : mainHelp(COMMANDS));
        return words.length === 0 || known ? EXIT.ok : EXIT.usage;
      }
      throw new UsageError(known ? `haven ${group} has no command "${words[1] ?? ''}" (haven ${group} --help)` : `no command "${words.join(' ')}" (haven --help)`);
    }
    if (values.help === true) {
      stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const { min, max } = command.arity;
    if (invocation.arguments.length < min || invocation.arguments.length > max) {
      throw new UsageError(`usage: haven ${command.group} ${command.verb} ${command.usage} [flags] (haven ${command.group} ${command.verb} --help)`.replace(/ +/g, ' '));
    }
    const output = outputFormat(stringValue(values, 'output'));
    const settings = resolveSettings({ server: stringValue(values, 'server'), apiKey: stringValue(values, 'api-key') }, env);
    server = settings.server;
    const connection = { server: settings.server, apiKey: settings.apiKey };
    await command.run({ client: havenClient(connection), connection, output, stdout, stderr, arguments: invocation.arguments, values });
    return EXIT.ok;
  } catch (error) {
    stderr.write(`Error: ${failureLine(error, server)}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}
