import { and, eq } from 'drizzle-orm';
import { storageTargets, storageVerifications } from '../../lib/db/schema/index.js';
import { TenantScope } from '../../lib/db/tenant-scope.js';
import type { VerificationStatus } from '../../lib/common/enums.js';
import { verifyRepository, type VerifyReport } from '../../lib/datamover/maintenance/verify.js';
import {
  MAX_VERIFICATION_FINDINGS,
  packShare,
  type VerificationFigures,
  type VerificationFinding,
} from '../../lib/domain/storage-verification.js';
import type { RepositoryVerificationReport, RepositoryVerificationRequest, StorageVerificationInput } from '../../lib/domain/runs/storage-verification.js';
import { withHeartbeats } from '../common/heartbeats.js';
import type { ControlDeps } from './deps.js';
import { asFailure, repositoryOpener } from './repository-opening.js';
import { DEFAULT_REPOSITORY_CONCURRENCY, repositoryPermits } from './repository-permits.js';

export type VerificationStart =
  | { status: 'SKIPPED'; reason: string }
  | { status: 'RUNNING'; verificationId: string; request: RepositoryVerificationRequest };

export interface VerificationEnd {
  orgId: string;
  verificationId: string;
  status: Exclude<VerificationStatus, 'RUNNING'>;
  message: string;
  report?: RepositoryVerificationReport;
}

const NO_FIGURES: VerificationFigures = { snapshots: 0, packs: 0, packsRead: 0, bytesRead: 0, chunksRead: 0, referencedChunks: 0, damagedSnapshots: 0 };

/** The data mover's report as a record keeps it: figures, and the objects found bad without internals. */
function recorded(report: VerifyReport): RepositoryVerificationReport {
  const findings: VerificationFinding[] = report.problems.slice(0, MAX_VERIFICATION_FINDINGS).map((p) => ({
    objectKey: p.objectKey,
    message: p.message,
    ...(p.snapshotId === undefined ? {} : { snapshotId: p.snapshotId }),
    ...(p.path === undefined ? {} : { path: p.path }),
    ...(p.chunkId === undefined ? {} : { chunkId: p.chunkId }),
  }));
  const { snapshots, packs, packsRead, bytesRead, chunksRead, referencedChunks } = report;
  return {
    figures: { snapshots, packs, packsRead, bytesRead, chunksRead, referencedChunks, damagedSnapshots: report.damagedSnapshots.length },
    findings,
    findingCount: report.problems.length,
  };
}

/**
 * Scheduled and requested verification of a storage target's repository, in the control plane: the
 * repository is shared by every cluster that writes there, so its check must not depend on one cluster's
 * agent, and the secret that opens it stays in this process.
 */
export function storageVerificationActivities(deps: ControlDeps) {
  const { backendOf, open } = repositoryOpener(deps);
  const inTurn = repositoryPermits(deps.repositoryConcurrency ?? DEFAULT_REPOSITORY_CONCURRENCY);

  return {
    /**
     * The verification's record: the one the API wrote for a requested run, or a new RUNNING one with the
     * target's settings as they are now. Idempotent by workflow id, so a retried attempt finds its record.
     * A target deleted, or with scheduled verification turned off since the schedule fired, is SKIPPED.
     */
    async beginStorageVerification(input: StorageVerificationInput & { workflowId: string }): Promise<VerificationStart> {
      const tenant = new TenantScope(deps.db, input.orgId, { now: deps.clock });
      return tenant.transaction(async (scope): Promise<VerificationStart> => {
        const target = await scope.find(storageTargets, input.storageTargetId);
        if (!target) return { status: 'SKIPPED', reason: `storage target ${input.storageTargetId} no longer exists` };
        const [existing] = input.verificationId
          ? await scope.executor.select().from(storageVerifications).where(scope.owns(storageVerifications, eq(storageVerifications.id, input.verificationId)))
          : await scope.executor.select().from(storageVerifications).where(scope.owns(storageVerifications, and(eq(storageVerifications.workflowId, input.workflowId), eq(storageVerifications.storageTargetId, target.id))));
        if (!existing && input.trigger === 'SCHEDULE' && !target.verification.enabled) return { status: 'SKIPPED', reason: 'scheduled verification is turned off for this target' };
        const row =
          existing ??
          (await scope.insert(storageVerifications, {
            storageTargetId: target.id,
            status: 'RUNNING',
            trigger: input.trigger,
            mode: target.verification.mode,
            samplePercent: target.verification.samplePercent,
            startedAt: deps.clock(),
            workflowId: input.workflowId,
          }));
        return { status: 'RUNNING', verificationId: row.id, request: { orgId: input.orgId, storageTargetId: target.id, mode: row.mode, samplePercent: row.samplePercent } };
      });
    },

    /**
     * The data mover's verification (every index, snapshot and manifest; packs read in full as the mode
     * says), heartbeating. A target nothing was ever stored on has nothing to find bad.
     */
    async verifyStorageRepository(request: RepositoryVerificationRequest): Promise<RepositoryVerificationReport> {
      try {
        return await withHeartbeats((phase) => inTurn(async () => {
          phase('opening the repository');
          const repository = await open(await backendOf(request));
          if (!repository) return { figures: NO_FIGURES, findings: [], findingCount: 0 };
          phase(`verifying (${request.mode === 'FULL' ? 'every pack' : `${request.samplePercent}% of packs`} read in full)`);
          const share = packShare(request);
          return recorded(await verifyRepository(repository, share >= 1 ? { readData: true } : { sample: share }));
        }));
      } catch (error) {
        throw asFailure(error, request);
      }
    },

    /** Idempotent: a retried call writes the same end. */
    async finishStorageVerification(end: VerificationEnd): Promise<void> {
      await deps.db
        .update(storageVerifications)
        .set({
          status: end.status,
          message: end.message,
          endedAt: deps.clock(),
          ...(end.report ? { figures: end.report.figures, findings: end.report.findings, findingCount: end.report.findingCount } : {}),
        })
        .where(and(eq(storageVerifications.orgId, end.orgId), eq(storageVerifications.id, end.verificationId)));
    },
  };
}
