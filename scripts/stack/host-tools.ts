import { spawnSync } from 'node:child_process';
import { aptInstall } from './toolchain.js';

/**
 * Programs Haven's own processes call (not servers of the stack): the data mover keeps extended
 * attributes through getfattr/setfattr, and its tests run them for real. A fresh machine gets them here.
 */
const HOST_TOOLS: ReadonlyArray<{ program: string; aptPackage: string }> = [
  { program: 'getfattr', aptPackage: 'attr' },
  { program: 'setfattr', aptPackage: 'attr' },
];

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

export async function ensureHostTools(): Promise<void> {
  const missing = [...new Set(HOST_TOOLS.filter((t) => !onPath(t.program)).map((t) => t.aptPackage))];
  if (missing.length > 0) await aptInstall('host-tools', missing);
}
