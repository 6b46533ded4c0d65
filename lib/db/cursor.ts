import { Problem } from '../common/problem.js';

/** Position in a newest-first list: the sort timestamp and id of the last item returned. */
export interface CursorPosition {
  at: Date;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(at));
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(date.getTime())) return { at: date, id };
  } catch {
    // fall through to the problem below
  }
  // 422, not 400: any string of the documented shape is schema-valid; only this API's own cursors are known.
  throw new Problem('unprocessable', 'cursor is not one this API returned', {
    errors: [{ field: 'querystring.cursor', reason: 'not a cursor returned by this API' }],
  });
}
