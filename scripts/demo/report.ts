import type { JobView } from './job-watch.js';
import type { Difference } from './inventory.js';
import type { RecoveryPointView } from './story.js';
import { bytes, duration, ratio } from './units.js';

export interface DemoOutcome {
  backup: JobView;
  restore: JobView;
  point: RecoveryPointView;
  /** Growth of the bucket under the target's prefix during the backup (compressed, encrypted packs and metadata). */
  bucketGrowth: number;
  resourcesCompared: number;
  volumesCompared: number;
  differences: Difference[];
  timings: { label: string; seconds: number }[];
  temporalUiUrl: string;
}

const jobSeconds = (job: JobView) => job.durationSeconds ?? (Date.parse(job.endedAt ?? job.startedAt) - Date.parse(job.startedAt)) / 1000;

/** The demo's closing report: what was protected, what it took, and the verification's verdict. */
export function report(outcome: DemoOutcome): string {
  const { point, backup, restore } = outcome;
  const volumes = point.contents.persistentVolumes;
  const logical = point.sizeBytes;
  // bytesTransferred: resources stored plus PV bytes new to the repository, before compression.
  const unique = backup.bytesTransferred;
  const lines = [
    '',
    '══ Report ════════════════════════════════════════════════════════════════',
    `Recovery point   ${point.id}  (${point.type}, expires ${point.expiresAt.slice(0, 10)})`,
    `Protected        ${point.contents.namespaces.length} namespaces (${point.contents.namespaces.join(', ')}), ${point.contents.resourceCount} resources, ${volumes.length} volumes`,
    ...volumes.map((v) => `                   ${v.namespace}/${v.claim}: ${bytes(v.copyBytes ?? 0)} in ${v.copyFiles ?? 0} files, ${v.method} (${v.storageClass})`),
    `Size             ${bytes(logical)} read (resources and volume files), ${backup.filesTransferred} files`,
    `Deduplication    ${bytes(unique)} new to the repository: ${ratio(logical, unique)} (identical files and chunks stored once, also across backups)`,
    `Compression      ${bytes(outcome.bucketGrowth)} written to the bucket for it: ${ratio(unique, outcome.bucketGrowth)} (zstd, then AES-GCM; measured in the bucket, the API does not report it)`,
    `Overall          ${ratio(logical, outcome.bucketGrowth)} smaller in storage than in the cluster`,
    `Durations        backup ${duration(jobSeconds(backup))}, restore ${duration(jobSeconds(restore))}; ${outcome.timings.map((t) => `${t.label} ${duration(t.seconds)}`).join(', ')}`,
    `Verification     ${outcome.differences.length === 0 ? `OK: ${outcome.resourcesCompared} resources and ${outcome.volumesCompared} volume digests equal before the backup and after the restore` : `${outcome.differences.length} DIFFERENCES`}`,
    ...outcome.differences.map((d) => `                   ${d.what}: ${d.problem}`),
    `Temporal UI      backup  ${backup.temporalUiUrl}`,
    `                 restore ${restore.temporalUiUrl}`,
    `                 all runs ${outcome.temporalUiUrl}`,
    '═══════════════════════════════════════════════════════════════════════════',
  ];
  return lines.join('\n') + '\n';
}
