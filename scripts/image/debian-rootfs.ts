import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../stack/processes.js';
import { StackComponentError, withHeartbeat } from '../stack/progress.js';
import { aptInstall, buildLog, runLogged } from '../stack/toolchain.js';
import { cachedBuild } from './cache.js';
import { DEBIAN_PACKAGES, DEBIAN_SUITE } from './spec.js';

const COMPONENT = 'image';
const SOURCES_DIR = '/etc/apt/sources.list.d';

/** Programs the build runs that a fresh machine may lack, and the Debian packages that bring them. */
const BUILD_TOOLS = [
  { program: 'mmdebstrap', aptPackage: 'mmdebstrap' },
  { program: 'umoci', aptPackage: 'umoci' },
];

export async function ensureBuildTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of BUILD_TOOLS) {
    if ((await run('sh', ['-c', `command -v ${tool.program}`])).code !== 0) missing.push(tool.aptPackage);
  }
  if (missing.length) await aptInstall(COMPONENT, missing);
}

/**
 * The machine's own apt sources for the suite (a deb822 `.sources` file naming it), so the image's
 * packages come from the same mirror and snapshot the machine uses; none found, mmdebstrap's default
 * mirror (deb.debian.org).
 */
export function debianMirror(): string | undefined {
  if (!existsSync(SOURCES_DIR)) return undefined;
  for (const name of readdirSync(SOURCES_DIR).sort()) {
    if (!name.endsWith('.sources')) continue;
    const text = readFileSync(join(SOURCES_DIR, name), 'utf8');
    if (new RegExp(`^Suites:.*\\b${DEBIAN_SUITE}\\b`, 'm').test(text) && /^URIs:.*\/debian\/?\s*$/m.test(text)) return join(SOURCES_DIR, name);
  }
  return undefined;
}

/**
 * The image's Debian base, `mmdebstrap --variant=minbase` with the packages the processes call, cached by
 * suite, packages and mirror. Documentation and translations are left out (copyright files kept).
 */
export async function debianRootfs(arch: string): Promise<string> {
  const mirror = debianMirror();
  const key = createHash('sha256')
    .update(JSON.stringify({ suite: DEBIAN_SUITE, packages: DEBIAN_PACKAGES, arch, mirror: mirror ? readFileSync(mirror, 'utf8') : 'default' }))
    .digest('hex')
    .slice(0, 16);
  const dir = await cachedBuild(`debian-${DEBIAN_SUITE}-${key}`, async (out) => {
    await ensureBuildTools();
    const log = buildLog(`image-debian-${key}`);
    const args = [
      '--variant=minbase',
      `--architectures=${arch}`,
      `--include=${DEBIAN_PACKAGES.join(',')}`,
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--dpkgopt=path-exclude=/usr/share/locale/*',
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      DEBIAN_SUITE,
      join(out, 'rootfs'),
      ...(mirror ? [mirror] : []),
    ];
    await withHeartbeat(COMPONENT, `mmdebstrap ${DEBIAN_SUITE} (${DEBIAN_PACKAGES.join(', ')})`, runLogged(COMPONENT, log, 'mmdebstrap', args));
    if (!existsSync(join(out, 'rootfs', 'usr', 'bin', 'setfattr'))) throw new StackComponentError(COMPONENT, 'mmdebstrap left no /usr/bin/setfattr', log);
  });
  return join(dir, 'rootfs');
}
