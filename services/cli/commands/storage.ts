import { answer } from '../../../lib/client/client.js';
import type { CommandSpec } from '../command.js';
import { integerValue, UsageError } from '../command.js';
import { storageTargetIdOf } from '../lookup.js';
import { render, table } from '../output.js';

export const storageCommands: CommandSpec[] = [
  {
    group: 'storage',
    verb: 'verify',
    usage: 'NAME|ID',
    summary: "Verify a storage target's repository now (its settings' mode unless --full or --sample)",
    details: 'Example: haven storage verify offsite --full; the result: haven storage verifications offsite',
    options: {
      full: { type: 'boolean', description: 'read every pack in full' },
      sample: { type: 'string', value: 'PERCENT', description: 'read this share of packs in full (1-100)' },
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await storageTargetIdOf(context.client, context.arguments[0]!);
      const sample = integerValue(context.values, 'sample');
      if (context.values.full === true && sample !== undefined) throw new UsageError('--full and --sample exclude each other');
      const body = context.values.full === true ? { mode: 'FULL' as const } : sample === undefined ? {} : { mode: 'SAMPLED' as const, samplePercent: sample };
      const verification = answer(await context.client.POST('/api/v1/storage-targets/{id}/actions/verify', { params: { path: { id } }, body }));
      context.stdout.write(render(context.output, verification, () => `Verification ${verification.id} started (${verification.mode}). Results: haven storage verifications ${context.arguments[0]!}`));
    },
  },
  {
    group: 'storage',
    verb: 'verifications',
    usage: 'NAME|ID',
    summary: "A storage target's verifications, newest first, with the objects found bad",
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await storageTargetIdOf(context.client, context.arguments[0]!);
      const items = answer(await context.client.GET('/api/v1/storage-targets/{id}/verifications', { params: { path: { id }, query: { limit: 50 } } })).items;
      context.stdout.write(
        render(context.output, items, () =>
          table(
            ['id', 'started', 'trigger', 'mode', 'status', 'bad objects', 'message'],
            items.map((v) => [v.id, v.startedAt, v.trigger, v.mode === 'SAMPLED' ? `SAMPLED ${v.samplePercent}%` : v.mode, v.status, v.findings.map((f) => f.objectKey).join(','), v.message]),
          ),
        ),
      );
    },
  },
];
