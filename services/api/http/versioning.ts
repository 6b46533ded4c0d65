import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../../lib/common/problem.js';

/**
 * Optimistic concurrency: every editable record has a `version`; responses carry it as a strong
 * ETag, and changes must send it back in If-Match so two editors cannot overwrite each other.
 */

/**
 * An If-Match value this API accepts: its own ETag, optionally weak, with optional spaces or tabs around it.
 * Written with explicit characters (no \d or \s), so the OpenAPI document's copy means the same in every regex dialect.
 */
export const ETAG_PATTERN = '^[ \\t]*(?:W/)?"([0-9]{1,9})"[ \\t]*$';

export function etagOf(version: number): string {
  return `"${version}"`;
}

export function setEtag(reply: FastifyReply, record: { version: number }): void {
  reply.header('etag', etagOf(record.version));
}

/** The version the client last saw, from If-Match. `required` makes a missing header a 428. */
export function expectedVersion(request: FastifyRequest, required: boolean): number | undefined {
  const header = request.headers['if-match'];
  // An empty If-Match is a header that names no ETag, refused like any other malformed one, not a missing header.
  if (header === undefined) {
    if (required) throw new Problem('precondition-required', 'send the ETag you last read in an If-Match header');
    return undefined;
  }
  const match = new RegExp(ETAG_PATTERN).exec(header);
  if (!match) {
    throw new Problem('version-mismatch', `If-Match ${JSON.stringify(header)} is not an ETag this API issued`, {
      errors: [{ field: 'headers.if-match', reason: 'expected a quoted version such as "3"' }],
    });
  }
  return Number(match[1]);
}
