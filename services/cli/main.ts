import { runCli } from './cli.js';

// The process: every outcome is an exit code and at most one line on stderr (cli.ts).
process.exitCode = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
