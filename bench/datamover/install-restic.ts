import { buildGoTool } from './go-module-build.js';

/**
 * The newest restic release the Go module proxy serves (v0.19.1, July 2026; the proxy's `@latest` still
 * answers v0.10.0, so versions are pinned). Debian's package is 0.14, without compression.
 */
export const RESTIC_VERSION = 'v0.19.1';

/** restic built once from its pinned module version into `~/.cache/haven/restic-<version>/` (go-module-build.ts). */
export function installRestic(log?: (message: string) => void): Promise<string> {
  return buildGoTool({ name: 'restic', module: 'github.com/restic/restic', version: RESTIC_VERSION, mainPackage: './cmd/restic', ldflags: '-s -w' }, log);
}

if (process.argv[1]?.endsWith('install-restic.ts')) console.log(await installRestic(console.error));
