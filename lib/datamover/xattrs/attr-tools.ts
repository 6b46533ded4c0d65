import { spawn, type ChildProcess } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { XattrRestoreError } from '../errors.js';
import { bytesOfName, nameFromBytes } from '../manifest/file-names.js';
import { ROOT_PATH } from '../manifest/walk-order.js';

/**
 * Extended attributes through the `attr` package's getfattr/setfattr: Node has no xattr API, and one
 * process per tree (not per file) costs a single recursive listxattr pass. Both speak the same dump format:
 * `# file: <path>` then `name=0s<base64>` lines, with backslashes and unprintable bytes as `\ooo`.
 *
 * `security.selinux` is left out: a label belongs to the source node's policy, and the restoring node's
 * mount context relabels the volume anyway.
 */
export type Xattrs = Record<string, string>;

const SKIPPED = new Set(['security.selinux']);

/**
 * `\ooo` back to bytes; the dump is read as latin1 so that one char is one byte. The bytes become a name
 * as the walk spells it (file-names.ts), so that paths match the walk's and names that are not UTF-8 keep
 * their attributes.
 */
function unescape(text: string): string {
  return nameFromBytes(Buffer.from(text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))), 'latin1'));
}

/** The bytes a name stands for, printable ASCII as is and the rest as `\ooo`: setfattr reads them back exactly. */
function escape(text: string): string {
  let out = '';
  for (const byte of bytesOfName(text)) {
    out += byte === 0x5c || byte < 0x21 || byte > 0x7e ? `\\${byte.toString(8).padStart(3, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

/**
 * The extended attributes of every entry at or below `root` that has any, by manifest path (symlinks'
 * own, not their targets'). Undefined when getfattr is not installed. Entries that vanish or cannot be read
 * during the pass simply have none recorded, as the walk skips entries that vanish.
 */
export async function scanXattrs(root: string): Promise<Map<string, Xattrs> | undefined> {
  const absoluteRoot = resolvePath(root);
  const child = spawn('getfattr', ['--absolute-names', '--no-dereference', '--physical', '--recursive', '--dump', '--match=-', '--encoding=base64', absoluteRoot], {
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (!(await started(child))) return undefined;
  const found = new Map<string, Xattrs>();
  let current: Xattrs | undefined;
  child.stdout.setEncoding('latin1');
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line.startsWith('# file: ')) {
      const absolute = unescape(line.slice('# file: '.length));
      const path = absolute === absoluteRoot ? ROOT_PATH : absolute.startsWith(`${absoluteRoot}/`) ? absolute.slice(absoluteRoot.length + 1) : undefined;
      current = path === undefined ? undefined : {};
      if (path !== undefined) found.set(path, current!);
      continue;
    }
    const equals = line.indexOf('=');
    if (!current || equals <= 0) continue;
    const name = unescape(line.slice(0, equals));
    if (SKIPPED.has(name)) continue;
    const value = line.slice(equals + 1);
    current[name] = value.startsWith('0s') ? value.slice(2) : Buffer.from(value.replace(/^"|"$/g, ''), 'latin1').toString('base64');
  }
  await exited;
  for (const [path, xattrs] of found) if (Object.keys(xattrs).length === 0) found.delete(path);
  return found;
}

/**
 * Sets extended attributes on restored entries with one setfattr process. Returns false when setfattr is
 * not installed (the caller reports what it could not restore); throws with setfattr's own words if it fails.
 */
export async function applyXattrs(entries: { absolutePath: string; xattrs: Xattrs }[]): Promise<boolean> {
  if (entries.length === 0) return true;
  const child = spawn('setfattr', ['--no-dereference', '--restore=-'], { env: { ...process.env, LC_ALL: 'C' }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text.slice(0, 4000 - stderr.length)));
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  if (!(await started(child))) return false;
  child.stdin.on('error', () => undefined);
  for (const { absolutePath, xattrs } of entries) {
    // An empty value as `""`: setfattr --restore skips `name=0s` (nothing after the base64 prefix) when it is
    // an entry's only attribute, which lost a directory's empty attribute (test/datamover/tree-round-trip.property.test.ts).
    const lines = Object.entries(xattrs).map(([name, value]) => `${escape(name)}=${value === '' ? '""' : `0s${value}`}\n`);
    if (!child.stdin.write(`# file: ${escape(absolutePath)}\n${lines.join('')}\n`)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new XattrRestoreError(`setfattr exit ${code}: ${stderr.trim() || 'no message'}`);
  return true;
}

/** False when the program is not installed (or cannot be started). */
function started(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
}
