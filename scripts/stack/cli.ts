import { down, reset, restart, stackEnv, status, up } from './stack.js';

const usage = `usage: npm run stack -- <command> [--clusters N]
  up        obtain (cached) and start Postgres, Temporal, S3 (versitygw and MinIO), moto and N Kubernetes control planes (default 1);
            prints KEY=VALUE lines for the environment on stdout
  down      stop what \`up\` started
  env       print the environment of the running stack
  status    print the recorded state (pids, ports) as JSON
  restart <component>  stop one component and start it again on the same ports and data (e.g. temporal, postgres)
  reset     stop everything and delete the run directory's data`;

function clustersArg(args: string[]): number {
  const flag = args.find((a) => a.startsWith('--clusters'));
  if (!flag) return Number(process.env.HAVEN_STACK_CLUSTERS ?? 1);
  const value = flag.includes('=') ? flag.split('=')[1] : args[args.indexOf(flag) + 1];
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 4) throw new Error(`--clusters must be an integer from 0 to 4, got ${value}`);
  return n;
}

function printEnv(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) process.stdout.write(`${key}=${value}\n`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'up':
      printEnv(await up(clustersArg(rest)));
      break;
    case 'down':
      await down();
      break;
    case 'env':
      printEnv(stackEnv());
      break;
    case 'status':
      process.stdout.write(JSON.stringify(status(), null, 2) + '\n');
      break;
    case 'restart':
      if (!rest[0]) throw new Error('restart needs a component name, e.g. `npm run stack -- restart temporal`');
      await restart(rest[0]);
      break;
    case 'reset':
      await reset();
      break;
    default:
      process.stderr.write(usage + '\n');
      process.exitCode = command ? 2 : 0;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
