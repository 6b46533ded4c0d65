import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeVersion } from './components/kube.js';
import { repoRoot } from './paths.js';
import { goBuild } from './toolchain.js';

const moduleDir = join(repoRoot, 'test', 'support', 'exec-kubelet');

/**
 * Builds test/support/exec-kubelet (the kubelet's exec streaming code on its own, for recording exec API
 * streams) once per Kubernetes version and source: the cache key carries both, so an edit rebuilds.
 * Returns the binary's path.
 */
export async function buildExecKubelet(): Promise<string> {
  const source = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) source.update(readFileSync(join(moduleDir, file)));
  const bin = await goBuild('exec-kubelet', `exec-kubelet-${kubeVersion}-${source.digest('hex').slice(0, 12)}`, moduleDir, ['.'], ['exec-kubelet'], '-s -w');
  return join(bin, 'exec-kubelet');
}
