import './cli/threadpool.js';
import { availableParallelism } from 'node:os';
import { readCheckpointFile, removeCheckpointFile, writeCheckpointFile } from './cli/checkpoint-file.js';
import { rerunWithHeapLimit } from './cli/heap-limit.js';
import { optionalNumber, parseCli, requiredString, type CliOptions } from './cli/options.js';
import { cpuSeconds, peakRssMb } from './cli/process-stats.js';
import { openBackend } from './cli/target.js';
import { DataMoverError, InvalidArgumentError } from './errors.js';
import { dataChunkingWithAverage, Repository } from './repository/repository.js';

/**
 * The data-mover pod's entrypoint: `tsx lib/datamover/cli.ts <command> [--flags]`.
 * Prints exactly one JSON object on stdout; exit code 0 on success, 1 on failure, 2 on bad arguments.
 */
const MB = 1024 * 1024;

async function execute(options: CliOptions): Promise<Record<string, unknown>> {
  const backend = await openBackend(options.target);
  const values = options.values;
  if (options.command === 'init') {
    const averageKib = optionalNumber(values, 'chunk-avg-kib');
    const dataChunking = averageKib === undefined ? undefined : dataChunkingWithAverage(averageKib * 1024);
    const repository = await Repository.init(backend, options.secret, { kdfCost: optionalNumber(values, 'kdf-cost'), dataChunking });
    return { repositoryId: repository.header.repositoryId };
  }
  // Deriving the key runs on the thread pool while the command's own modules load.
  const { repository: opening } = await Repository.beginOpen(backend, options.secret);
  switch (options.command) {
    case 'backup': {
      const checkpointFile = values['checkpoint-file'] as string | undefined;
      const { runBackup } = await import('./backup/backup.js');
      const resumeFrom = checkpointFile ? await readCheckpointFile(checkpointFile) : undefined;
      const tags = Object.fromEntries(((values.tag as string[] | undefined) ?? []).map((pair) => pair.split('=', 2) as [string, string]));
      const maxMbPerSecond = optionalNumber(values, 'max-mb-per-second');
      const everyMb = optionalNumber(values, 'checkpoint-every-mb');
      const everySeconds = optionalNumber(values, 'checkpoint-every-seconds');
      const sealWorkers = optionalNumber(values, 'seal-workers') ?? Math.max(2, availableParallelism());
      const result = await runBackup(opening, {
        source: requiredString(values, 'source'),
        volume: requiredString(values, 'volume'),
        volumeMode: values.block ? 'block' : 'filesystem',
        tags,
        parent: values.parent as string | undefined,
        concurrentFiles: optionalNumber(values, 'concurrent-files'),
        maxBytesPerSecondPerStream: maxMbPerSecond ? maxMbPerSecond * MB : undefined,
        memoryLimitBytes: options.memoryLimitBytes,
        checkpointEveryBytes: everyMb === undefined ? undefined : everyMb * MB,
        checkpointEveryMs: everySeconds === undefined ? undefined : everySeconds * 1000,
        resumeFrom,
        sealWorkers,
        walkThread: sealWorkers > 0,
        onCheckpoint: checkpointFile ? (checkpoint) => writeCheckpointFile(checkpointFile, checkpoint) : undefined,
      });
      if (checkpointFile) await removeCheckpointFile(checkpointFile);
      return { resumed: resumeFrom !== undefined, alreadyComplete: result.alreadyComplete, snapshot: result.snapshot };
    }
    case 'restore': {
      const { runRestore } = await import('./restore/restore.js');
      return {
        restored: await runRestore(await opening, {
          snapshotId: requiredString(values, 'snapshot'),
          target: requiredString(values, 'target'),
          paths: values.path as string[] | undefined,
          concurrentFiles: optionalNumber(values, 'concurrent-files'),
          writerThreads: optionalNumber(values, 'writer-threads'),
          memoryLimitBytes: options.memoryLimitBytes,
        }),
      };
    }
    case 'verify': {
      const { verifyRepository } = await import('./maintenance/verify.js');
      const report = await verifyRepository(await opening, { readData: values['read-data'] === true, sample: optionalNumber(values, 'sample') });
      return { ok: report.problems.length === 0, report };
    }
    case 'repair': {
      const { repairRepository } = await import('./maintenance/repair.js');
      const report = await repairRepository(await opening);
      // Not ok while damage is left that it could not deal with: a retained object keeps failing its readers,
      // and nothing finds the chunks of a pack without a trailer again.
      return { ok: report.retained.length === 0 && report.unreadablePacks.length === 0, report };
    }
    case 'gc': {
      const { collectGarbage } = await import('./maintenance/gc.js');
      const graceHours = optionalNumber(values, 'grace-hours');
      return { report: await collectGarbage(await opening, { graceMs: graceHours === undefined ? undefined : graceHours * 3_600_000 }) };
    }
    case 'snapshots':
      return { snapshots: (await (await opening).listSnapshots()).map(({ manifest: _manifest, ...rest }) => rest) };
    case 'forget':
      await (await opening).deleteSnapshot(requiredString(values, 'snapshot'));
      return { forgotten: values.snapshot };
    default:
      throw new InvalidArgumentError(`unknown command ${options.command}`);
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: describeError(error) }));
    return 2;
  }
  const rerunStatus = rerunWithHeapLimit(options.memoryLimitBytes);
  if (rerunStatus !== undefined) return rerunStatus;
  const measurements = () => ({ wallSeconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(), peakRssMb: peakRssMb() });
  try {
    const result = await execute(options);
    const ok = result.ok !== false;
    console.log(JSON.stringify({ ok, command: options.command, ...result, ...measurements() }));
    return ok ? 0 : 1;
  } catch (error) {
    console.log(JSON.stringify({ ok: false, command: options.command, error: describeError(error), ...measurements() }));
    return 1;
  }
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof DataMoverError) {
    const { code, retryable, message, name, ...details } = error;
    return { code, retryable, name, message, ...details };
  }
  return { code: 'INTERNAL', retryable: true, message: error instanceof Error ? error.message : String(error) };
}

process.exitCode = await main();
