import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRepository } from '../../activities/common/open-repository.js';
import { RepositoryNotFoundError } from '../../lib/datamover/errors.js';
import { scratchDir } from '../datamover/helpers/repository-fixture.js';

let scratch: Awaited<ReturnType<typeof scratchDir>>;
beforeEach(async () => {
  scratch = await scratchDir('restore-opens-only');
});
afterEach(() => scratch.cleanup());

describe('a restore\'s repository', () => {
  it('is opened, never created: a location without one answers REPOSITORY_NOT_FOUND and stays empty', async () => {
    const location = join(scratch.path, 'no-repository-here');
    const access = { location, secret: 'a'.repeat(64) } as Parameters<typeof openRepository>[0];
    await expect(openRepository(access)).rejects.toBeInstanceOf(RepositoryNotFoundError);
    expect(await readdir(location).catch(() => [])).toEqual([]);
  });
});
