import { selectCopies, snapshottable, type CopySelection } from '../lib/domain/copy-selection.js';
import type { BackupPlan } from '../lib/domain/runs/backup-plan.js';
import type { BackupVolume, ScanBackupScopeResult } from '../proto/agent/index.js';
import type { PodVolumes } from './backup-summary.js';
import type { VolumeOutcome } from './backup-volumes.js';

/** How a run's plan protects PVs. */
export interface VolumeMode {
  /** The CSI snapshots are the recovery point. */
  snapshotOnly: boolean;
  /** Each PV is copied into the repository (from a snapshot, the live claim or the node). */
  copyMode: boolean;
  /** Snapshots outlive the run (the point itself, or preserved beside the copies): their content must outlive their namespace. */
  keepSnapshots: boolean;
}

export function volumeMode(plan: BackupPlan): VolumeMode {
  const snapshotOnly = plan.persistentVolumes.include && plan.persistentVolumes.mode === 'SNAPSHOT_ONLY';
  const copyMode = plan.persistentVolumes.include && plan.persistentVolumes.mode === 'BACKUP_TO_OBJECT_STORAGE';
  return { snapshotOnly, copyMode, keepSnapshots: snapshotOnly || (copyMode && plan.copy.preserveSnapshots) };
}

/** What the scope scan found, as the run's steps use it. */
export interface BackupScope {
  /** Existing namespaces the selection covers: where hooks with no namespaces of their own run. */
  runNamespaces: string[];
  /** Claims of the selection to snapshot, none taken yet. */
  snapshots: VolumeOutcome[];
  /** Snapshot-only claims that cannot be snapshotted: named on the job as not backed up. */
  unsupported: BackupVolume[];
  /** Copy mode: how each claim is read, or why it is not. */
  selection: CopySelection;
  podVolumes: PodVolumes;
}

const noSelection = (): CopySelection => ({ fromSnapshot: [], live: [], host: [], notBackedUp: [], skipped: [] });

/** The scope of a run that protects no PV and runs no hook: it does not scan. */
export function nothingScanned(): BackupScope {
  return { runNamespaces: [], snapshots: [], unsupported: [], selection: noSelection(), podVolumes: [] };
}

/** Snapshot-only runs snapshot every snapshottable claim; copy runs choose per claim by the plan; hooks-only runs take just the namespaces. */
export function backupScope(scan: ScanBackupScopeResult, mode: VolumeMode, plan: BackupPlan['copy']): BackupScope {
  const selected = mode.snapshotOnly ? scan.volumes : [];
  const selection = mode.copyMode ? selectCopies(scan.volumes, plan) : noSelection();
  return {
    runNamespaces: scan.namespaces,
    snapshots: (mode.copyMode ? selection.fromSnapshot : selected.filter(snapshottable)).map((volume) => ({ volume })),
    unsupported: selected.filter((v) => !snapshottable(v)),
    selection,
    podVolumes: mode.snapshotOnly || mode.copyMode ? (scan.podVolumes ?? []) : [],
  };
}
