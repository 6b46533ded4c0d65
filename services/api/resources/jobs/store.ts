import type { Role } from '../../../../lib/common/enums.js';
import type { jobs } from '../../../../lib/db/schema/index.js';
import { roleAllows } from '../../auth/roles.js';
import type { TemporalLinks } from '../../config.js';
import type { Job } from './schema.js';

export function temporalUiUrl(links: TemporalLinks, workflowId: string, runId: string | null): string {
  const base = `${links.uiUrl}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}` : base;
}

/** What the caller may read of a job's errors: a hook's output is an operator's and an admin's, never a viewer's. */
function errorsFor(errors: (typeof jobs.$inferSelect)['errors'], role: Role): Job['errors'] {
  return roleAllows(role, 'operator') ? errors : errors.map(({ output: _output, ...shown }) => shown);
}

/** The job as `role` may read it, without live progress (live-job.ts adds it to a read of one job). */
export function toApi(row: typeof jobs.$inferSelect, links: TemporalLinks, role: Role): Job {
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
    errors: errorsFor(row.errors, role),
    drill: row.drill,
    workflowId: row.workflowId,
    workflowRunId: row.workflowRunId,
    temporalUiUrl: temporalUiUrl(links, row.workflowId, row.workflowRunId),
    progress: null,
  };
}
