import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { havenImage, imageReferenceParts } from '../../lib/common/haven-image.js';
import { cacheDir, repoRoot as defaultRepoRoot } from '../stack/paths.js';
import { StackComponentError } from '../stack/progress.js';
import { cachedBuild, imageCacheDir } from './cache.js';
import { debianRootfs, ensureBuildTools } from './debian-rootfs.js';
import { inputsHash } from './inputs.js';
import { productionNodeModules } from './node-modules.js';
import { baseLayout, finishLayout } from './oci-layout.js';
import { assembleBaseRootfs, assembleRootfs } from './rootfs.js';
import { APP_PATHS } from './spec.js';

/** A built image: its OCI layout, its unpacked root filesystem, and what it weighs. */
export interface HavenImageBuild {
  reference: string;
  /** The content hash of its inputs: its folder under the cache. */
  hash: string;
  dir: string;
  rootfs: string;
  /** OCI image layout; the image is tagged with the reference's tag. */
  oci: string;
  tag: string;
  rootfsBytes: number;
  ociBytes: number;
}

/** Built images kept in the cache (each a few hundred MB, mostly hard links to the shared base). */
const KEEP_IMAGES = 3;

const DEBIAN_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

function diskBytes(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

/** The Node of .node-version, as scripts/runtime.sh caches it from the npm registry's node-linux-<arch> package. */
function pinnedNode(repoRoot: string): { version: string; home: string } {
  const version = readFileSync(join(repoRoot, '.node-version'), 'utf8').trim().replace(/^v/, '');
  const home = join(cacheDir, 'node', version);
  if (!existsSync(join(home, 'bin', 'node'))) {
    throw new StackComponentError('image', `Node ${version} is not in ${home}: run the build through scripts/runtime.sh (npm run image), which fetches it`);
  }
  return { version, home };
}

/** Keeps the newest built images, so repeated source changes do not fill the disk. */
function pruneOldImages(keep: string): void {
  const images = readdirSync(imageCacheDir)
    .filter((name) => name.startsWith('haven-') && existsSync(join(imageCacheDir, name, '.complete')))
    .map((name) => ({ name, mtime: statSync(join(imageCacheDir, name, '.complete')).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of images.slice(KEEP_IMAGES)) if (name !== keep) rmSync(join(imageCacheDir, name), { recursive: true, force: true });
}

/**
 * Builds Haven's image from this checkout, or returns the cached build of the same inputs. Three cache
 * levels, each keyed by what it is made of: the Debian base and Node (`base-*`, minutes the first time),
 * the production node_modules (`node-modules-*`, by lock file), and the image (`haven-<hash>`, seconds:
 * hard links to both plus a copy of the sources and one compressed layer).
 */
export async function buildImage(options: { repoRoot?: string; reference?: string } = {}): Promise<HavenImageBuild> {
  const repoRoot = options.repoRoot ?? defaultRepoRoot;
  const reference = options.reference ?? havenImage(process.env);
  const arch = process.arch;
  const debianArch = DEBIAN_ARCH[arch];
  if (!debianArch) throw new StackComponentError('image', `no Debian architecture for ${arch}`);
  const node = pinnedNode(repoRoot);
  const { tag } = imageReferenceParts(reference);
  const hash = inputsHash(repoRoot, APP_PATHS, [reference, arch]);
  const dir = join(imageCacheDir, `haven-${hash}`);
  if (!existsSync(join(dir, '.complete'))) {
    await ensureBuildTools();
    const debian = await debianRootfs(debianArch);
    const baseKey = inputsHash(repoRoot, [], [debian, node.version, arch]);
    const base = await cachedBuild(`base-${baseKey}`, async (out) => {
      await assembleBaseRootfs(debian, join(node.home, 'bin', 'node'), join(out, 'rootfs'));
      await baseLayout(join(out, 'rootfs'), join(out, 'oci'), out, baseKey);
    });
    const nodeModules = await productionNodeModules(repoRoot, node, arch);
    await cachedBuild(`haven-${hash}`, async (out) => {
      await assembleRootfs(repoRoot, join(base, 'rootfs'), nodeModules, join(out, 'rootfs'));
      // Blobs are content-addressed and never rewritten: hard links. index.json is rewritten: a copy.
      mkdirSync(join(out, 'oci'));
      execFileSync('cp', ['-al', join(base, 'oci', 'blobs'), join(out, 'oci', 'blobs')]);
      for (const file of ['index.json', 'oci-layout']) cpSync(join(base, 'oci', file), join(out, 'oci', file));
      await finishLayout(join(out, 'rootfs'), join(out, 'oci'), tag, out, hash);
      writeFileSync(join(out, 'image.json'), `${JSON.stringify({ reference, hash, rootfsBytes: diskBytes(join(out, 'rootfs')), ociBytes: diskBytes(join(out, 'oci')) }, null, 2)}\n`);
    });
    pruneOldImages(`haven-${hash}`);
  }
  const recorded = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8')) as { rootfsBytes: number; ociBytes: number };
  return { reference, hash, dir, rootfs: join(dir, 'rootfs'), oci: join(dir, 'oci'), tag, rootfsBytes: recorded.rootfsBytes, ociBytes: recorded.ociBytes };
}
