/**
 * The one image every Haven process runs (api, worker, gateway, agent, data mover), built by
 * `npm run image` (scripts/image). The API writes it into agent manifests, the agent starts mover pods
 * from it, and the build tags the image with it, so they cannot disagree.
 */
export const DEFAULT_HAVEN_IMAGE = 'ghcr.io/haven-backup/haven:latest';

/** The one setting that names the image, for every process and for the build. */
export const HAVEN_IMAGE_ENV = 'HAVEN_IMAGE';

/**
 * The names the image went by before HAVEN_IMAGE, each read by its own process after HAVEN_IMAGE so
 * existing installs keep working: the API's agent image and the agent's mover image.
 */
export type LegacyHavenImageEnv = 'HAVEN_AGENT_IMAGE' | 'HAVEN_MOVER_IMAGE';

/** HAVEN_IMAGE, else the process's legacy name, else the default. */
export function havenImage(env: NodeJS.ProcessEnv, legacy?: LegacyHavenImageEnv): string {
  for (const name of [HAVEN_IMAGE_ENV, ...(legacy ? [legacy] : [])]) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return DEFAULT_HAVEN_IMAGE;
}

/** `registry/repository` and `tag` of an image reference (`latest` when it names none; digests kept whole). */
export function imageReferenceParts(reference: string): { repository: string; tag: string } {
  const at = reference.indexOf('@');
  if (at >= 0) return { repository: reference.slice(0, at), tag: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(':');
  // A colon before the last slash is a registry port, not a tag.
  if (colon > reference.lastIndexOf('/')) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: 'latest' };
}

/**
 * The data mover bundled into plain JavaScript at build (scripts/image/mover-bundle.ts), relative to the
 * image's working directory: a pod is started per volume copy, and through tsx each would first spend a
 * CPU second compiling TypeScript (and again in each of its worker threads).
 */
export const MOVER_BUNDLE_DIR = 'dist/mover';
export const MOVER_BUNDLE_ENTRY = `${MOVER_BUNDLE_DIR}/main.js`;

/**
 * How the image starts each process (its working directory is /app, its PATH has `node`). Long-running
 * services run TypeScript through tsx's loader, as in development, so the image carries the sources; the
 * worker's workflows (HAVEN_WORKFLOW_BUNDLE) and the short-lived mover are bundled at build. The image's Cmd is the API's; the agent
 * manifest and mover pods set their own `command` from here, and the Helm charts' containers name these
 * same commands (test/helm/process-commands.test.ts). `migrate` applies pending migrations and exits:
 * the control-plane chart's init containers.
 */
export const HAVEN_PROCESS_COMMANDS = {
  api: ['node', '--import', 'tsx', 'services/api/main.ts'],
  worker: ['node', '--import', 'tsx', 'services/worker/main.ts'],
  gateway: ['node', '--import', 'tsx', 'services/gateway/main.ts'],
  agent: ['node', '--import', 'tsx', 'services/agent/main.ts'],
  mover: ['node', MOVER_BUNDLE_ENTRY],
  migrate: ['node', '--import', 'tsx', 'services/api/migrate.ts'],
} as const satisfies Record<string, readonly string[]>;

export type HavenProcess = keyof typeof HAVEN_PROCESS_COMMANDS;
