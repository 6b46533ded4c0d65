import { DEFAULT_HAVEN_IMAGE, HAVEN_PROCESS_COMMANDS } from '../../lib/common/haven-image.js';
import { WORKFLOW_BUNDLE_ENV } from '../../services/worker/workflow-bundle.js';

/**
 * What Haven's image is, declared once: the build (scripts/image/build.ts) assembles it from this, and
 * the tests and the node emulator read the user, environment and command from here.
 */

/** The Debian release the root filesystem comes from (the machine's apt mirror serves it). */
export const DEBIAN_SUITE = 'bookworm';

/**
 * Debian packages on top of the minbase variant: CA roots for TLS to S3, RDS and a gateway with a public
 * certificate; attr's getfattr/setfattr, through which the data mover keeps extended attributes.
 */
export const DEBIAN_PACKAGES = ['ca-certificates', 'attr'] as const;

/** The repository's folders and files the processes load at run time, copied to /app as they are. */
export const APP_PATHS = ['services', 'lib', 'workflows', 'activities', 'proto', 'deploy/crds', 'package.json', 'package-lock.json', 'tsconfig.json'] as const;

/** The image's WORKDIR: the processes' commands name their entrypoints relative to it. */
export const IMAGE_WORKDIR = '/app';

/** The control workflows, bundled at build (bundleControlWorkflows), so the worker starts without webpack. */
export const IMAGE_WORKFLOW_BUNDLE = '/app/workflow-bundle.js';

/** The image's user: not root, with no home of its own (HOME is /tmp, the one place it may write). */
export const IMAGE_USER = { name: 'haven', uid: 1000, gid: 1000 } as const;

/** Where Node sits in the image; on PATH. */
export const IMAGE_NODE_PATH = '/usr/local/bin/node';

/**
 * The image's environment. NODE_ENV=production: Fastify and others skip development-only work. The worker
 * loads its prebuilt workflows; other processes ignore that variable.
 */
export const IMAGE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  NODE_ENV: 'production',
  HOME: '/tmp',
  [WORKFLOW_BUNDLE_ENV]: IMAGE_WORKFLOW_BUNDLE,
};

/** No Entrypoint, so a pod's `command` is the whole command line; the Cmd starts the API. */
export const IMAGE_ENTRYPOINT: readonly string[] = [];
export const IMAGE_CMD: readonly string[] = HAVEN_PROCESS_COMMANDS.api;

/** The tag the build gives the image unless HAVEN_IMAGE names another. */
export const IMAGE_DEFAULT_REFERENCE = DEFAULT_HAVEN_IMAGE;

export const IMAGE_LABELS: Readonly<Record<string, string>> = {
  'org.opencontainers.image.title': 'haven',
  'org.opencontainers.image.description': 'Haven: api, worker, gateway, agent and data mover (one image, command chooses)',
  'org.opencontainers.image.licenses': 'Apache-2.0',
  'org.opencontainers.image.source': 'https://github.com/haven-backup/haven',
};
