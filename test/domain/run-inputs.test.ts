import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { CopyOptions, DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES, PersistentVolumeOptions, RestoreVolumeOptions, Selection, Transforms } from '../../lib/domain/definitions/options.js';
import type { StoredBackupSpec, StoredReplicationSpec, StoredRestoreSpec } from '../../lib/domain/definitions/stored.js';
import { runStart, type RunRequest } from '../../lib/domain/runs/run-inputs.js';

/** A stored spec as the API saves it: every option present, the schema's defaults filled in. */
function stored<T>(schema: Parameters<typeof Value.Default>[0], given: object): T {
  return Value.Default(schema, structuredClone(given)) as T;
}

const request: RunRequest = {
  orgId: 'org',
  jobId: 'job',
  workflowId: 'backup-def-1',
  definitionId: 'def',
  definitionName: 'nightly',
  clusterId: 'cluster-a',
  destination: { storageTargetId: 'target', inheritedFrom: 'cluster' },
  retention: { days: 7, safeLock: true },
};

function backupSpec(persistentVolumes: object = {}, advanced: object = {}): StoredBackupSpec {
  const { destinationStorageTargetId: _, ...copy } = stored<CopyOptions>(CopyOptions, advanced);
  return {
    selection: stored(Selection, { scope: 'SELECTED_NAMESPACES', namespaces: ['shop'], labels: 'app:web,api tier:front' }),
    persistentVolumes: stored(PersistentVolumeOptions, persistentVolumes),
    advanced: copy,
  };
}

describe('a run input is resolved whole from the stored definition', () => {
  it('carries every option a backup reads, as the definition set it', () => {
    const spec = backupSpec(
      { preserveSnapshots: true, snapshotRetentionDays: 3, methodByStorageClass: { slow: 'HOST' } },
      { concurrentPvs: 5, totalConcurrentFiles: 40, maxSpeedPerStreamMBps: 80, dataMoverMemoryLimitMiB: 2048, csiSnapshotTimeoutMinutes: 25 },
    );
    const run = runStart(request, { kind: 'BACKUP', spec });
    expect(run).toMatchObject({ kind: 'BACKUP', workflowId: 'backup-def-1', clusterId: 'cluster-a' });
    if (run.kind !== 'BACKUP') throw new Error('not a backup');
    expect(run.input).toMatchObject({ storageTargetId: 'target', retention: { days: 7, safeLock: true }, recoveryPointType: 'COPY' });
    expect(run.input.selection).toEqual({
      scope: 'SELECTED_NAMESPACES',
      namespaces: ['shop'],
      excludedNamespaces: [],
      resourceTypes: [],
      labels: { requirements: [{ key: 'app', values: ['web', 'api'] }, { key: 'tier', values: ['front'] }] },
    });
    expect(run.input.plan).toEqual({
      hookPhases: { pre: 'PRE_BACKUP', post: 'POST_BACKUP' },
      persistentVolumes: { include: true, mode: 'BACKUP_TO_OBJECT_STORAGE' },
      csiSnapshotTimeoutMinutes: 25,
      copy: {
        snapshotBeforeBackup: true,
        preserveSnapshots: true,
        snapshotRetentionDays: 3,
        backupUnsnapshottedPvs: true,
        methodByStorageClass: { slow: 'HOST' },
        excludeUnattachedPvcs: false,
        snapshotMountStorageClasses: {},
        concurrentPvs: 5,
        totalConcurrentFiles: 40,
        maxSpeedPerStreamMBps: 80,
        dataMoverPodTimeoutMinutes: 20,
        dataMoverMemoryLimitMiB: 2048,
      },
    });
  });

  it('makes a snapshot-only backup a SNAPSHOT recovery point', () => {
    const run = runStart(request, { kind: 'BACKUP', spec: backupSpec({ mode: 'SNAPSHOT_ONLY' }) });
    expect(run.kind === 'BACKUP' && run.input.recoveryPointType).toBe('SNAPSHOT');
  });

  it('gives a replication source hooks, a copy whatever the mode, and restore-side volume options', () => {
    const spec: StoredReplicationSpec = {
      ...backupSpec({ mode: 'SNAPSHOT_ONLY' }, { concurrentPvs: 3, totalConcurrentFiles: 99, dataMoverMemoryLimitMiB: 1536 }),
      destinationNamespaces: ['shop-dr'],
      transforms: stored(Transforms, { namespaceSuffix: '-dr' }),
    };
    const run = runStart({ ...request, retention: null }, { kind: 'REPLICATION', spec, destinationClusterId: 'cluster-b' });
    if (run.kind !== 'REPLICATION') throw new Error('not a replication');
    expect(run.input).toMatchObject({ sourceClusterId: 'cluster-a', destinationClusterId: 'cluster-b', destinationNamespaces: ['shop-dr'], storageTargetId: 'target' });
    expect(run.input.backupPlan.hookPhases).toEqual({ pre: 'SOURCE_PRE_BACKUP', post: 'SOURCE_POST_BACKUP' });
    expect(run.input.backupPlan.persistentVolumes.mode).toBe('BACKUP_TO_OBJECT_STORAGE');
    expect(run.input.restoreVolumes).toEqual({
      include: true,
      concurrentPvs: 3,
      totalConcurrentFiles: DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES,
      dataMoverPodTimeoutMinutes: 20,
      dataMoverMemoryLimitMiB: 1536,
    });
  });

  it('gives a restore its volume options and its own post-restore hooks', () => {
    const spec: StoredRestoreSpec = {
      selection: { namespaces: ['shop'], resourceTypes: [], labels: '' },
      transforms: stored(Transforms, { namespacePrefix: 'dr-' }),
      existingResources: 'UPDATE',
      persistentVolumes: stored(RestoreVolumeOptions, { concurrentPvs: 4 }),
    };
    const run = runStart({ ...request, destination: null, retention: null }, { kind: 'RESTORE', spec, recoveryPointId: 'point' });
    if (run.kind !== 'RESTORE') throw new Error('not a restore');
    expect(run.input).toMatchObject({ restoreId: 'def', recoveryPointId: 'point', targetClusterId: 'cluster-a', existingResources: 'UPDATE', postRestoreHookPhase: 'POST_RESTORE' });
    expect(run.input.persistentVolumes).toMatchObject({ concurrentPvs: 4, totalConcurrentFiles: DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES });
  });

  it('refuses a backup without a resolved destination or retention: that is a bug, not user input', () => {
    expect(() => runStart({ ...request, destination: null }, { kind: 'BACKUP', spec: backupSpec() })).toThrow(/no resolved destination/);
    expect(() => runStart({ ...request, retention: null }, { kind: 'BACKUP', spec: backupSpec() })).toThrow(/no resolved retention/);
  });
});
