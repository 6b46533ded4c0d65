import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../../lib/common/problem.js';

/**
 * Optimistic concurrency: every editable record has a `version`; responses carry it as a strong
 * ETag, and changes must send it back in If-Match so two editors cannot overwrite each other.
 */

export function etagOf(version: number): string {
  return `"${version}"`;
}

export function setEtag(reply: FastifyReply, record: { version: number }): void {
  reply.header('etag', etagOf(record.version));
}

/** The version the client last saw, from If-Match. `required` makes a missing header a 428. */
export function expectedVersion(request: FastifyRequest, required: boolean): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header === '') {
    if (required) throw new Problem('precondition-required', 'send the ETag you last read in an If-Match header');
    return undefined;
  }
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) {
    throw new Problem('version-mismatch', `If-Match ${JSON.stringify(header)} is not an ETag this API issued`, {
      errors: [{ field: 'headers.if-match', reason: 'expected a quoted version such as "3"' }],
    });
  }
  return Number(match[1]);
}
