/**
 * AWS's RDS answers as Haven's stable codes: the activities raise them as Temporal failure types, so
 * retry policies name the final ones and a failed job says why in AWS's own words.
 */
export const RDS_FAILURES = {
  /** The database (or snapshot) is not in the account and region any more. */
  RDS_NOT_FOUND: { final: true },
  /** The account's credentials or role refuse the call. */
  RDS_ACCESS_DENIED: { final: true },
  /** AWS starts no new snapshot while a copy of the database's snapshot is running: the run is SKIPPED. */
  RDS_COPY_IN_PROGRESS: { final: true },
  /** The database is in a state AWS refuses the call in (stopped, being modified…). */
  RDS_INVALID_STATE: { final: true },
  /** The request breaks one of AWS's rules (a name taken, a parameter refused, a quota reached). */
  RDS_REQUEST_REFUSED: { final: true },
  /** A snapshot, copy or restore still not done when its wait's timeout came. */
  RDS_TIMED_OUT: { final: true },
  /** Anything else (throttling, a network error): retried. */
  RDS_UNAVAILABLE: { final: false },
} as const;

export type RdsFailureCode = keyof typeof RDS_FAILURES;
export const FINAL_RDS_FAILURES = (Object.keys(RDS_FAILURES) as RdsFailureCode[]).filter((code) => RDS_FAILURES[code].final);

export class RdsError extends Error {
  constructor(
    readonly code: RdsFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'RdsError';
  }
}

const NOT_FOUND = /NotFound/;
const DENIED = /AccessDenied|UnauthorizedOperation|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken/;
const REFUSED = /AlreadyExists|Quota|InvalidParameter|ValidationError|KMSKeyNotAccessible|Unsupported|StorageQuota|InsufficientDB/;

/** What an SDK error means for a run; the message keeps AWS's own words and what Haven was doing. */
export function rdsErrorOf(error: unknown, doing: string): RdsError {
  if (error instanceof RdsError) return error;
  const name = (error as { name?: string } | undefined)?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const text = `${doing}: ${name ? `${name}: ` : ''}${message}`;
  if (/^Invalid(DB|DBCluster|DBInstance)State/.test(name) && /cop(y|ying)/i.test(message)) return new RdsError('RDS_COPY_IN_PROGRESS', text);
  if (/^Invalid\w*State/.test(name)) return new RdsError('RDS_INVALID_STATE', text);
  if (NOT_FOUND.test(name)) return new RdsError('RDS_NOT_FOUND', text);
  if (DENIED.test(name)) return new RdsError('RDS_ACCESS_DENIED', text);
  if (REFUSED.test(name)) return new RdsError('RDS_REQUEST_REFUSED', text);
  return new RdsError('RDS_UNAVAILABLE', text);
}
