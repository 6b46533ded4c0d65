import { status } from '@grpc/grpc-js';

/**
 * gRPC codes that mean Temporal did not answer at all (down, unreachable, or too slow), as opposed to
 * answering with a refusal (not found, already started), which callers handle themselves.
 */
const UNANSWERED = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/**
 * Whether an error from the Temporal client, or anything in its `cause` chain, is the engine not
 * answering. The SDK wraps the gRPC error in its ServiceError ("Failed to start Workflow") with the gRPC
 * error as cause: recognised by its shape (a numeric code, string details, metadata), as the SDK does.
 */
export function isEngineUnreachable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    const { code, details, metadata } = current as Error & { code?: unknown; details?: unknown; metadata?: unknown };
    if (typeof code === 'number' && typeof details === 'string' && typeof metadata === 'object' && metadata !== null && UNANSWERED.has(code)) return true;
  }
  return false;
}
