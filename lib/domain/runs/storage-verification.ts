import { organizationWorkflowId } from '../../common/temporal/names.js';
import type { VerificationMode, VerificationTrigger } from '../../common/enums.js';
import type { VerificationFigures, VerificationFinding } from '../storage-verification.js';

/**
 * One verification of a storage target's repository. A requested one carries the record the API wrote
 * (and the mode asked for); a scheduled one only the target: it reads the target's settings when it fires,
 * so an edit needs no schedule rewrite beyond its cron.
 */
export interface StorageVerificationInput {
  orgId: string;
  storageTargetId: string;
  trigger: VerificationTrigger;
  verificationId?: string;
}

export interface StorageVerificationOutcome {
  status: 'PASSED' | 'FAILED' | 'SKIPPED';
  verificationId?: string;
  findingCount?: number;
  reason?: string;
}

/** What the data mover's verification of one repository found, as the control plane records it. */
export interface RepositoryVerificationReport {
  figures: VerificationFigures;
  findings: VerificationFinding[];
  findingCount: number;
}

export interface RepositoryVerificationRequest {
  orgId: string;
  storageTargetId: string;
  mode: VerificationMode;
  samplePercent: number;
}

/** A target's Schedule; never matches a definition's schedule id (`haven-<uuid>-<n>`). */
export function verificationScheduleId(storageTargetId: string): string {
  return `haven-verify-${storageTargetId}`;
}

/** Runs are `<org>:verify-<target>` plus the time (Temporal appends it for scheduled ones). */
export function verificationWorkflowIdPrefix(orgId: string, storageTargetId: string): string {
  return organizationWorkflowId(orgId, `verify-${storageTargetId}`);
}

export function requestedVerificationWorkflowId(orgId: string, storageTargetId: string, at: Date): string {
  return `${verificationWorkflowIdPrefix(orgId, storageTargetId)}-${at.toISOString().replace(/[-:.]/g, '')}`;
}
