import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobLeftovers } from '../../backup/helpers/leftovers.js';
import type { EmulatedCluster } from '../../emulator/helpers/cluster.js';
import { volumeSnapshotContents } from '../../emulator/support/kube-api.js';

/** Cleanup that follows a run (a mover pod finishing, a snapshot deleted) is given this long. */
const LEFTOVER_GRACE_MS = 120_000;

/**
 * What the runs left in the emulated cluster once cleanup has had its time: everything labelled with a
 * job (mover pods, temporary claims, per-job Secrets, VolumeSnapshots), and the snapshots a label cannot
 * find. A VolumeSnapshot deleted while its content is retained leaves the content, and the storage
 * system's copy behind it, with no job label on either; the suite keeps no snapshots (preserveSnapshots
 * is off), so any content of the emulator's namespaces, or any snapshot in its storage, is left over.
 * `ofRun` adds what the run itself must not leave (a replication's temporary recovery point).
 */
export async function leftoversAfterRun(cluster: EmulatedCluster, ofRun: () => Promise<string[]> = async () => []): Promise<string[]> {
  const deadline = Date.now() + LEFTOVER_GRACE_MS;
  for (;;) {
    const found = await Promise.all([everythingLeft(cluster), ofRun()]).then((lists) => lists.flat()).catch((err: unknown) => [`(listing failed: ${String(err)})`]);
    if (found.length === 0 || Date.now() > deadline) return found;
    await sleep(1000);
  }
}

async function everythingLeft(cluster: EmulatedCluster): Promise<string[]> {
  return [...(await jobLeftovers(cluster)), ...(await snapshotContents(cluster)), ...(await storedSnapshots(cluster))];
}

async function snapshotContents(cluster: EmulatedCluster): Promise<string[]> {
  const contents = (await cluster.api.custom.listClusterCustomObject(volumeSnapshotContents)) as {
    items: { metadata?: { name?: string }; spec?: { volumeSnapshotRef?: { namespace?: string; name?: string } } }[];
  };
  return contents.items
    .filter((c) => c.spec?.volumeSnapshotRef?.namespace?.startsWith(`${cluster.prefix}-`))
    .map((c) => `volumesnapshotcontent ${c.metadata?.name} (of ${c.spec?.volumeSnapshotRef?.namespace}/${c.spec?.volumeSnapshotRef?.name})`);
}

/** The emulator's storage holds each snapshot as a directory; its storage is this session's alone. */
async function storedSnapshots(cluster: EmulatedCluster): Promise<string[]> {
  const names = await readdir(join(cluster.node.store.root, 'snapshots')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return names.map((name) => `stored snapshot ${name}`);
}
