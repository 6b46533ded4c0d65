import { goInstall } from '../stack/toolchain.js';

/**
 * Helm 3, built from its Go module like the stack's servers and cached by version under
 * ~/.cache/haven/helm-<version>/ (the first build takes a few minutes on 2 cores). v3.21 is the newest
 * Helm 3 release that builds with `go install` here; the charts use apiVersion v2, which Helm 4 reads too.
 */
export const HELM_VERSION = 'v3.21.4';
const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm';

/** The path of the cached helm binary, built on first use. */
export function helmBinary(): Promise<string> {
  return goInstall('helm', 'helm', HELM_MODULE, HELM_VERSION, 'helm');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await helmBinary());
}
