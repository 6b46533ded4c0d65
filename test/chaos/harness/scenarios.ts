import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../../scripts/demo/job-watch.js';
import { eventually } from '../../emulator/helpers/cluster.js';
import { boundClaim } from '../../emulator/helpers/objects.js';
import { volumeDigest } from '../../fixtures/volume-digest.js';
import type { HavenSession, SampleVolume } from './haven-session.js';

export const RUN_KINDS = ['backup', 'restore', 'replication'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A run is given this long to end, faults and restarts included. */
const RUN_TIMEOUT_MS = 15 * 60_000;
const RETENTION_DAYS = 1;

/** A run started through the API; `verify` checks what it produced once it COMPLETED. */
export interface StartedRun {
  job: JobView;
  /** Bytes whose digest matched (restored or replicated volumes), or 0 for a backup. */
  verify(): Promise<number>;
  /** What the run itself must not leave once it ended (a replication's temporary recovery point), by name. */
  leftovers(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const nothingLeft = async (): Promise<string[]> => [];

/** The definitions the runs reuse, created on first use. */
export class Scenarios {
  private backupDefinitionId: string | undefined;
  private replicationDefinitionId: string | undefined;
  /** The newest recovery point of a COMPLETED backup: what restores restore. */
  private latestPoint: string | undefined;
  private restores = 0;

  constructor(private readonly session: HavenSession) {}

  hasRecoveryPoint(): boolean {
    return this.latestPoint !== undefined;
  }

  async start(kind: RunKind): Promise<StartedRun> {
    if (kind === 'backup') return this.backup();
    if (kind === 'restore') return this.restore();
    return this.replicate();
  }

  private namespaces(): string[] {
    return this.session.volumes.map((v) => v.namespace);
  }

  private async backup(): Promise<StartedRun> {
    const { api, clusterId, storageTargetId } = this.session;
    this.backupDefinitionId ??= (
      await api.post<{ id: string }>('/backup-definitions', {
        name: `${this.session.prefix}-backup`, clusterId, selection: { scope: 'SELECTED_NAMESPACES', namespaces: this.namespaces() },
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', snapshotBeforeBackup: true }, advanced: { destinationStorageTargetId: storageTargetId },
      })
    ).id;
    const definitionId = this.backupDefinitionId;
    const job = await api.post<JobView>(`/backup-definitions/${definitionId}/actions/run`, { retentionDays: RETENTION_DAYS });
    return {
      job,
      verify: async () => {
        const points = await api.get<{ items: { id: string; jobId: string | null }[] }>(`/recovery-points?definitionId=${definitionId}&limit=200`);
        const point = points.items.find((p) => p.jobId === job.id);
        if (!point) throw new Error(`backup ${job.id} COMPLETED without a recovery point`);
        this.latestPoint = point.id;
        return 0;
      },
      leftovers: nothingLeft,
      cleanup: async () => undefined,
    };
  }

  private async restore(): Promise<StartedRun> {
    const { api, clusterId } = this.session;
    if (!this.latestPoint) throw new Error('a restore needs a COMPLETED backup first');
    const suffix = `r${++this.restores}`;
    const mapping = Object.fromEntries(this.namespaces().map((ns) => [ns, `${ns}-${suffix}`]));
    const restore = await api.post<{ id: string }>('/restores', {
      name: `${this.session.prefix}-${suffix}`, recoveryPointId: this.latestPoint, targetClusterId: clusterId, transforms: { namespaceMapping: mapping },
    });
    const job = await api.post<JobView>(`/restores/${restore.id}/actions/run`, {});
    return { job, verify: () => this.compare(mapping), leftovers: nothingLeft, cleanup: () => this.deleteNamespaces(Object.values(mapping)) };
  }

  private async replicate(): Promise<StartedRun> {
    const { api, clusterId, storageTargetId } = this.session;
    const mapping = Object.fromEntries(this.namespaces().map((ns) => [ns, `${ns}-replica`]));
    for (const replica of Object.values(mapping)) this.session.cluster.adopt(replica);
    this.replicationDefinitionId ??= (
      await api.post<{ id: string }>('/replication-definitions', {
        name: `${this.session.prefix}-replica`, runNow: false, sourceClusterId: clusterId,
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: this.namespaces() }, advanced: { destinationStorageTargetId: storageTargetId },
        destination: { clusterId, namespaces: Object.values(mapping) }, transforms: { namespaceMapping: mapping },
      })
    ).id;
    const definitionId = this.replicationDefinitionId;
    const job = await api.post<JobView>(`/replication-definitions/${definitionId}/actions/run`, {});
    // The backup phase's recovery point is temporary: COMPLETED, FAILED or CANCELLED, the run deletes it.
    const leftovers = async () => {
      const points = await api.get<{ items: { id: string }[] }>(`/recovery-points?definitionId=${definitionId}&limit=200`);
      return points.items.map((p) => `temporary recovery point ${p.id}`);
    };
    // The replica stays between runs: each run replaces it, which is what replication does.
    return { job, verify: () => this.compare(mapping), leftovers, cleanup: async () => undefined };
  }

  /** Every source volume's digest against the volume of the same claim in the namespace it was mapped to. */
  private async compare(mapping: Record<string, string>): Promise<number> {
    let verified = 0;
    for (const volume of this.session.volumes) {
      const path = await this.volumePath(mapping[volume.namespace]!, volume);
      const digest = await volumeDigest(path);
      if (digest !== volume.digest) throw new Error(`${mapping[volume.namespace]}/${volume.dataClaim} does not match ${volume.namespace}/${volume.dataClaim} (digest ${digest} ≠ ${volume.digest})`);
      verified += await treeBytes(path);
    }
    return verified;
  }

  private async volumePath(namespace: string, volume: SampleVolume): Promise<string> {
    const { cluster } = this.session;
    const claim = await boundClaim(cluster.api, namespace, volume.dataClaim);
    return cluster.node.volumePath(await cluster.api.core.readPersistentVolume({ name: claim.spec?.volumeName ?? '' }));
  }

  private async deleteNamespaces(names: string[]): Promise<void> {
    const core = this.session.cluster.api.core;
    for (const name of names) await core.deleteNamespace({ name }).catch(() => undefined);
    for (const name of names) {
      await eventually(() => core.readNamespace({ name }).then(() => false, (err: { code?: number }) => err.code === 404), `namespace ${name} to be deleted`, 180_000);
    }
  }
}

async function treeBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/**
 * Follows a job to its end through the API, which may itself be down (killed, or its database or
 * Temporal restarting): errors only mean "ask again".
 */
export async function jobOutcome(session: HavenSession, jobId: string): Promise<JobView> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const job = await session.api.get<JobView>(`/jobs/${jobId}`).catch(() => undefined);
    if (job && job.status !== 'RUNNING') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job?.status ?? 'unreadable'} after ${RUN_TIMEOUT_MS / 60_000} minutes`);
    await sleep(1000);
  }
}
