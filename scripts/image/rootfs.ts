import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildConsole, copyConsoleBuild } from '../console/build.js';
import { StackComponentError, withHeartbeat } from '../stack/progress.js';
import { run } from '../stack/processes.js';
import { bundleControlWorkflows } from '../../services/worker/workflow-bundle.js';
import { bundleMover } from './mover-bundle.js';
import { APP_PATHS, IMAGE_NODE_PATH, IMAGE_USER, IMAGE_WORKDIR, IMAGE_WORKFLOW_BUNDLE } from './spec.js';

const COMPONENT = 'image';

/**
 * Replaces a file by a new one. The root filesystem is hard-linked from the cached base, so a file is
 * never written in place: that would change the cache (and every image built from it) too.
 */
function replaceFile(path: string, content: string, mode = 0o644): void {
  rmSync(path, { force: true });
  writeFileSync(path, content, { mode });
}

/**
 * Files a container runtime provides at start (the pod's DNS, hosts and hostname): the image carries
 * neutral ones, never the build machine's, and they exist so a runtime can bind-mount over them.
 */
function neutralRuntimeFiles(rootfs: string): void {
  replaceFile(join(rootfs, 'etc', 'resolv.conf'), '');
  replaceFile(join(rootfs, 'etc', 'hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  replaceFile(join(rootfs, 'etc', 'hostname'), 'haven\n');
}

/** The image's user, in passwd and group so tools that look a uid up (and `ls -l`) see its name. */
function imageUser(rootfs: string): void {
  const passwd = join(rootfs, 'etc', 'passwd');
  const group = join(rootfs, 'etc', 'group');
  replaceFile(passwd, `${readFileSync(passwd, 'utf8')}${IMAGE_USER.name}:x:${IMAGE_USER.uid}:${IMAGE_USER.gid}:Haven:/tmp:/usr/sbin/nologin\n`);
  replaceFile(group, `${readFileSync(group, 'utf8')}${IMAGE_USER.name}:x:${IMAGE_USER.gid}:\n`);
}

async function copyTree(from: string, to: string, how: '-a' | '-al'): Promise<void> {
  const copied = await run('cp', [how, ...(how === '-a' ? ['--reflink=auto'] : []), from, to]);
  if (copied.code !== 0) throw new StackComponentError(COMPONENT, `cp ${how} ${from} ${to} failed: ${copied.stderr.trim()}`);
}

/**
 * The base root filesystem, shared by every image built from the same Debian base and Node: a copy of
 * the Debian base with Node at /usr/local/bin, the image's user and neutral runtime files.
 */
export async function assembleBaseRootfs(debianRootfs: string, nodeBinary: string, rootfs: string): Promise<void> {
  await copyTree(debianRootfs, rootfs, '-a');
  neutralRuntimeFiles(rootfs);
  imageUser(rootfs);
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  rmSync(join(rootfs, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true });
  mkdirSync(join(rootfs, 'var', 'lib', 'apt', 'lists', 'partial'), { recursive: true });
  const node = join(rootfs, IMAGE_NODE_PATH);
  mkdirSync(dirname(node), { recursive: true });
  copyFileSync(nodeBinary, node);
  chmodSync(node, 0o755);
}

/**
 * The image's root filesystem: the base hard-linked (free, and safe: nothing writes into it), the
 * application copied to /app and its production dependencies hard-linked from their cache, the control
 * workflows and the data mover bundled beside them, all owned by root and readable by the image's user (it writes nowhere
 * but /tmp and its volumes).
 */
export async function assembleRootfs(repoRoot: string, baseRootfs: string, nodeModules: string, rootfs: string): Promise<void> {
  await copyTree(baseRootfs, rootfs, '-al');
  const app = join(rootfs, IMAGE_WORKDIR);
  mkdirSync(app, { recursive: true, mode: 0o755 });
  for (const path of APP_PATHS) {
    const source = join(repoRoot, path);
    if (!existsSync(source)) throw new StackComponentError(COMPONENT, `${path} is missing from the repository`);
    mkdirSync(dirname(join(app, path)), { recursive: true });
    cpSync(source, join(app, path), { recursive: true });
  }
  // Whatever modes the checkout had (a umask, a root-only folder), the image's user may read and traverse it.
  const modes = await run('chmod', ['-R', 'u+rwX,go+rX,go-w', app]);
  if (modes.code !== 0) throw new StackComponentError(COMPONENT, `chmod of /app failed: ${modes.stderr.trim()}`);
  await copyTree(nodeModules, join(app, 'node_modules'), '-al');
  // The web console's static build, where the API looks for it by default (/app/dist/console).
  copyConsoleBuild(await withHeartbeat(COMPONENT, 'building the web console', buildConsole(repoRoot)), join(app, 'dist', 'console'));
  // From the image's own sources and dependencies, so the bundle is what /app holds.
  const bundle = await withHeartbeat(COMPONENT, 'bundling the control workflows', bundleControlWorkflows(app));
  writeFileSync(join(rootfs, IMAGE_WORKFLOW_BUNDLE), bundle, { mode: 0o644 });
  await withHeartbeat(COMPONENT, 'bundling the data mover', bundleMover(app));
}
