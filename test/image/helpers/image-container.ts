import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, type HavenImageBuild } from '../../../scripts/image/build.js';
import { IMAGE_ENV, IMAGE_USER, IMAGE_WORKDIR } from '../../../scripts/image/spec.js';
import { prepareContainerRoot, rootedArgv, type RootMount } from '../../emulator/kubelet/container-root.js';
import type { ContainerSecurity } from '../../emulator/kubelet/container-security.js';

let built: Promise<HavenImageBuild> | undefined;

/**
 * Haven's image built from this checkout, once per test process: the first call on a fresh machine
 * builds it (minutes), later ones find it in the cache by the hash of its inputs (well under a second).
 */
export function havenImageBuild(): Promise<HavenImageBuild> {
  built ??= buildImage();
  return built;
}

/** As a Deployment would run it: the image's user, no capabilities, no privilege escalation. */
export const IMAGE_USER_SECURITY: ContainerSecurity = {
  uid: IMAGE_USER.uid,
  gid: IMAGE_USER.gid,
  groups: [],
  capabilities: [],
  noNewPrivileges: true,
  readOnlyPaths: [],
};

export interface ImageContainer {
  child: ChildProcess;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with its exit code when it exits by itself. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts `argv` from the image's root filesystem as a container would run: chrooted, in its own mount,
 * PID and UTS namespaces, with a read-only root, an empty /tmp, the given mounts, the image's
 * environment plus `env`, as `security` says (the image's user by default). The host's network is
 * shared, so it reaches the stack's servers on 127.0.0.1.
 */
export async function startFromImage(
  image: HavenImageBuild,
  argv: readonly string[],
  options: { env?: Record<string, string>; mounts?: RootMount[]; security?: ContainerSecurity; name?: string } = {},
): Promise<ImageContainer> {
  const stateDir = await mkdtemp(join(tmpdir(), 'haven-image-'));
  const root = {
    rootfs: image.rootfs,
    stateDir,
    mounts: [{ containerPath: '/tmp', tmpfs: true as const }, ...(options.mounts ?? [])],
    readOnlyRootFilesystem: true,
    workingDir: IMAGE_WORKDIR,
    hostname: options.name ?? 'haven',
  };
  await prepareContainerRoot(root);
  const [command, ...args] = rootedArgv(argv, root, options.security ?? IMAGE_USER_SECURITY) as [string, ...string[]];
  // Only the image's environment and what the test gives: nothing of this machine's leaks in.
  const child = spawn(command, args, { env: { ...IMAGE_ENV, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // Already gone.
        }
        await once(child, 'close').catch(() => undefined);
      }
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port nothing listens on now, for a process in the image to listen on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until `check` holds, failing with the container's output if it exits or `timeoutMs` passes. */
export async function waitFor(container: ImageContainer, what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  void container.exited.then((code) => (exited = code));
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (exited !== undefined) throw new Error(`exited (${exited}) before ${what}:\n${container.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ${what} after ${timeoutMs / 1000}s:\n${container.output()}`);
}
