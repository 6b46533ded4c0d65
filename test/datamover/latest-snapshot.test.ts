import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

describe('finding a volume\'s latest snapshot (the parent of its next backup)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  const ids = new Map<string, string[]>();

  beforeAll(async () => {
    scratch = await scratchDir('latest-snapshot');
    repository = await localRepository(join(scratch.path, 'repo'));
    const source = join(scratch.path, 'source');
    await new TreeBuilder(source).file('data.txt', 'data');
    // Twenty snapshots of four volumes, interleaved, one minute apart.
    for (let i = 0; i < 20; i++) {
      const volume = `ns/pvc-${i % 4}`;
      const at = new Date(Date.UTC(2026, 10, 22, 6, i));
      const { snapshot } = await runBackup(repository, { source, volume, clock: () => at });
      ids.set(volume, [...(ids.get(volume) ?? []), snapshot.id]);
    }
  });
  afterAll(() => scratch.cleanup());

  it('is the newest of that volume, found without reading every snapshot', async () => {
    const get = vi.spyOn(repository.backend, 'get');
    for (const [volume, ofVolume] of ids) {
      get.mockClear();
      expect((await repository.latestSnapshotOf(volume))?.id).toBe(ofVolume.at(-1));
      const snapshotReads = get.mock.calls.filter(([key]) => key.startsWith('snapshots/')).length;
      expect(snapshotReads).toBeLessThanOrEqual(8);
    }
    get.mockRestore();
  });

  it('is undefined for a volume never backed up, after looking at everything', async () => {
    expect(await repository.latestSnapshotOf('ns/never')).toBeUndefined();
  });

  it('is what the next backup takes as its parent', async () => {
    const source = join(scratch.path, 'source');
    const { snapshot } = await runBackup(repository, { source, volume: 'ns/pvc-1' });
    expect(snapshot.parentId).toBe(ids.get('ns/pvc-1')!.at(-1));
    expect(snapshot.stats.filesRead).toBe(0);
  });
});
