/**
 * Every operation's `operationId`, derived from its method and path so that generated clients get method
 * names without each route spelling one (and so a new route of a known shape is named like its siblings):
 *
 *   GET    /things              listThings          POST /things               createThing
 *   GET    /things/{id}         getThing            PUT  /things/{id}          updateThing
 *   DELETE /things/{id}         deleteThing         POST /things/{id}/actions/run   runThing
 *   GET    /things/{id}/part    getThingPart        POST /things/{id}/part     createThingPart
 *   GET    /thing (a singleton) getThing            PUT  /thing                updateThing
 *
 * A path ending in a plural word is a collection. A route whose name would read badly this way (a verb as
 * the last segment, `/users/me`) states `schema.operationId` itself, which wins.
 */

/** Plurals that dropping the final "s" does not turn into the singular. */
const IRREGULAR_SINGULARS: Readonly<Record<string, string>> = { policies: 'policy' };

const VERBS_FOR_ONE: Readonly<Record<string, string>> = { GET: 'get', PUT: 'update', PATCH: 'update', DELETE: 'delete', POST: 'create' };

function singular(word: string): string {
  return IRREGULAR_SINGULARS[word] ?? (word.endsWith('s') ? word.slice(0, -1) : word);
}

function pascal(segment: string): string {
  return segment
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const isParameter = (segment: string) => segment.startsWith(':') || segment.startsWith('{');

/** `path` relative to the API prefix or absolute (`/api/v1/...`); the version prefix is not part of the name. */
export function deriveOperationId(method: string, path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && !/^(api|v\d+)$/.test(segment));
  const actionAt = segments.indexOf('actions');
  if (actionAt > 0 && actionAt === segments.length - 2) {
    return segments[actionAt + 1]! + nounOf(segments.slice(0, actionAt), false);
  }
  const last = segments.at(-1) ?? '';
  const collection = !isParameter(last) && last.endsWith('s');
  if (collection && method === 'GET') return 'list' + nounOf(segments, true);
  const verb = VERBS_FOR_ONE[method];
  if (!verb) throw new Error(`no operationId rule for ${method} ${path}: give the route schema.operationId`);
  return verb + nounOf(segments, false);
}

/** The nouns of a path (parameters dropped), each singular except a final plural kept for listings. */
function nounOf(segments: string[], keepFinalPlural: boolean): string {
  const nouns = segments.filter((segment) => !isParameter(segment));
  return nouns.map((noun, i) => pascal(keepFinalPlural && i === nouns.length - 1 ? noun : singular(noun))).join('');
}
