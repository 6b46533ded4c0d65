/** Object names (DNS subdomains) are at most 253 characters. */
const MAX_NAME = 253;

/**
 * The VolumeSnapshot a run takes of a claim: derived from the job and the claim, so a retried create
 * finds its own snapshot instead of taking a second one, and two runs never collide.
 */
export function snapshotNameFor(jobId: string, claim: string): string {
  const prefix = `haven-${jobId}-`;
  return `${prefix}${claim.slice(0, MAX_NAME - prefix.length)}`.replace(/[-.]+$/, '');
}
