import { RDSClient } from '@aws-sdk/client-rds';
import { credentialsFor, type AccountAccess } from './credentials.js';
import { rdsErrorOf } from './rds-errors.js';

/** A client of one account's RDS in one region; the caller destroys it. */
export function rdsClient(access: AccountAccess, region: string): RDSClient {
  return new RDSClient({ region, credentials: credentialsFor(access) });
}

/** Runs `work` with a client of the account and region, mapping AWS's errors to Haven's codes (rds-errors.ts). */
export async function withRds<T>(access: AccountAccess, region: string, doing: string, work: (rds: RDSClient) => Promise<T>): Promise<T> {
  const rds = rdsClient(access, region);
  try {
    return await work(rds);
  } catch (error) {
    // A cancelled wait (Temporal's activity cancellation) is not AWS's answer: it passes unchanged.
    if ((error as { name?: string } | undefined)?.name === 'CancelledFailure') throw error;
    throw rdsErrorOf(error, doing);
  } finally {
    rds.destroy();
  }
}
