/**
 * Reads a process's configuration, or ends the process with one line naming what is wrong.
 *
 * Every config reader only parses its environment (and the files it names), so whatever it throws is a
 * configuration error whose message names the variable: the person starting the process needs that line,
 * not a stack trace of the reader. Exit code 1, as for any failed start.
 */
export function readConfigOrExit<T>(service: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`haven ${service}: ${message.replaceAll('\n', ' ')}\n`);
    process.exit(1);
  }
}
