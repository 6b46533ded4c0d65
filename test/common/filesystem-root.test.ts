import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageAccessRefusedError } from '../../lib/common/storage-access/endpoints.js';
import { checkFilesystemPathOnDisk } from '../../lib/common/storage-access/filesystem-root.js';

let root: string;
const org = 'org-a';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'haven-fs-root-'));
  await mkdir(join(root, org, 'backups'), { recursive: true });
  await mkdir(join(root, 'org-b', 'repository'), { recursive: true });
  // The tenant's own directory holding a link into another organization's.
  await symlink(join(root, 'org-b'), join(root, org, 'borrowed'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('a filesystem target as the control plane opens it', () => {
  it("is its organization's directory or below", async () => {
    await expect(checkFilesystemPathOnDisk(root, org, join(root, org, 'backups'))).resolves.toBeUndefined();
    await expect(checkFilesystemPathOnDisk(root, org, join(root, 'org-b'))).rejects.toBeInstanceOf(StorageAccessRefusedError);
    await expect(checkFilesystemPathOnDisk(root, org, `${root}/${org}/../org-b`)).rejects.toThrow(/without "\.\."/);
  });

  it('passes through no symbolic link', async () => {
    await expect(checkFilesystemPathOnDisk(root, org, join(root, org, 'borrowed'))).rejects.toThrow(/symbolic link/);
  });

  it('is refused where the installation has no root for filesystem targets', async () => {
    await expect(checkFilesystemPathOnDisk(undefined, org, join(root, org, 'backups'))).rejects.toThrow(/no filesystem target root/);
  });
});
