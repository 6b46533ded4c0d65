import { Type } from '@sinclair/typebox';

/** A volume's root, as manifests and path selections spell it. */
export const VOLUME_ROOT = '.';
/** Linux's PATH_MAX: no path inside a volume is longer. */
export const MAX_VOLUME_PATH_LENGTH = 4096;

/** One segment: not empty, no `/` or NUL, and not `.` or `..` (said without lookahead, which not every JSON Schema tool reads). */
const SEGMENT = '(?:[^/\\x00.][^/\\x00]*|\\.[^/\\x00.][^/\\x00]*|\\.\\.[^/\\x00]+)';

/** A file or directory inside a PV, relative to the volume's root, as the browse listing shows it. */
export const VolumePath = Type.String({
  minLength: 1,
  pattern: `^(?:\\.|${SEGMENT}(?:/${SEGMENT})*)$`,
  maxLength: MAX_VOLUME_PATH_LENGTH,
  description: 'Relative to the volume\'s root, `/`-separated, no leading `/`, no `.`, `..` or empty segments; `.` is the root itself.',
});

/** Why a path cannot name something inside a volume, or undefined when it can. */
export function volumePathProblem(path: string): string | undefined {
  if (path === VOLUME_ROOT) return undefined;
  if (path.startsWith('/')) return 'must be relative to the volume\'s root (no leading "/")';
  if (path.includes('\0')) return 'must not contain a NUL character';
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return 'must not contain empty, "." or ".." segments';
  return undefined;
}
