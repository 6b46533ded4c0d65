import { buildGoTool } from './go-module-build.js';

/** The kopia release the benchmark compares against (Velero ships a 0.16 fork; this is a current upstream). */
export const KOPIA_VERSION = 'v0.22.3';

/** kopia built once from its pinned module version into `~/.cache/haven/kopia-<version>/` (go-module-build.ts). */
export function installKopia(log?: (message: string) => void): Promise<string> {
  return buildGoTool(
    { name: 'kopia', module: 'github.com/kopia/kopia', version: KOPIA_VERSION, mainPackage: '.', ldflags: `-X github.com/kopia/kopia/repo.BuildVersion=${KOPIA_VERSION.slice(1)}` },
    log,
  );
}

if (process.argv[1]?.endsWith('install-kopia.ts')) console.log(await installKopia(console.error));
