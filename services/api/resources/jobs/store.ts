import type { jobs } from '../../../../lib/db/schema/index.js';
import type { TemporalLinks } from '../../config.js';
import type { Job } from './schema.js';

export function temporalUiUrl(links: TemporalLinks, workflowId: string, runId: string | null): string {
  const base = `${links.uiUrl}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}` : base;
}

export function toApi(row: typeof jobs.$inferSelect, links: TemporalLinks): Job {
  return {
    id: row.id,
    kind: row.kind,
    definitionId: row.definitionId,
    definitionName: row.definitionName,
    clusterId: row.clusterId,
    status: row.status,
    skipReason: row.skipReason,
    message: row.message,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    durationSeconds: row.endedAt ? (row.endedAt.getTime() - row.startedAt.getTime()) / 1000 : null,
    bytesTransferred: row.bytesTransferred,
    filesTransferred: row.filesTransferred,
    errors: row.errors,
    workflowId: row.workflowId,
    workflowRunId: row.workflowRunId,
    temporalUiUrl: temporalUiUrl(links, row.workflowId, row.workflowRunId),
  };
}
