/**
 * The one ordering of a volume's entries: pre-order, children by name in UTF-16 code-unit order.
 * Backup walks in it, manifests are written in it, and incremental backups merge-join the previous
 * manifest against the walk in it, so all three must agree; compare paths only through these functions.
 */
export const ROOT_PATH = '.';

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Component-wise comparison without splitting: `/` sorts below every other character. */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  if (a === ROOT_PATH) return -1;
  if (b === ROOT_PATH) return 1;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 0x2f) return -1;
    if (y === 0x2f) return 1;
    return x - y;
  }
  return a.length - b.length;
}

export function joinPath(parent: string, name: string): string {
  return parent === ROOT_PATH ? name : `${parent}/${name}`;
}

/** True when `path` is `ancestor` or lies below it. */
export function isWithin(path: string, ancestor: string): boolean {
  if (ancestor === ROOT_PATH || path === ancestor) return true;
  return path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === 0x2f;
}
