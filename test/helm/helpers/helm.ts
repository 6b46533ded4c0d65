import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { helmBinary } from '../../../scripts/helm/helm-binary.js';
import { repoRoot } from '../../../scripts/stack/paths.js';
import { run, type RunResult } from '../../../scripts/stack/processes.js';
import { stackEnv } from '../../support/stack-env.js';

export const AGENT_CHART = join(repoRoot, 'deploy', 'helm', 'haven-agent');
export const CONTROL_PLANE_CHART = join(repoRoot, 'deploy', 'helm', 'haven');

/** The first build of helm takes minutes on 2 cores; later runs find it in the cache. */
export const HELM_BUILD_TIMEOUT_MS = 900_000;

export type Values = Record<string, unknown>;

/** Runs helm with `values` on its standard input (`--values -`), against KUBECONFIG's cluster. */
export async function helm(args: string[], values?: Values): Promise<RunResult> {
  const valueArgs = values === undefined ? [] : ['--values', '-'];
  return run(await helmBinary(), [...args, ...valueArgs], { env: { KUBECONFIG: stackEnv('KUBECONFIG') }, ...(values === undefined ? {} : { input: JSON.stringify(values) }) });
}

/** Like `helm`, but a non-zero exit throws with what helm said. */
export async function helmOk(args: string[], values?: Values): Promise<string> {
  const result = await helm(args, values);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** `helm template` of a chart: the objects it would install. */
export async function renderChart(chart: string, values: Values, options: { release?: string; namespace?: string } = {}): Promise<KubernetesObject[]> {
  const output = await helmOk(['template', options.release ?? 'haven-test', chart, '--namespace', options.namespace ?? 'haven-system'], values);
  return parseAllDocuments(output)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

/** What `helm template` says when it refuses these values (its error), or undefined when it renders. */
export async function refusal(chart: string, values: Values): Promise<string | undefined> {
  const result = await helm(['template', 'haven-test', chart], values);
  return result.code === 0 ? undefined : result.stderr;
}

export function objectsOf<T extends KubernetesObject = KubernetesObject>(objects: KubernetesObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

/**
 * Server-side dry-run of every object against the stack's kube-apiserver, with strict field
 * validation: an unknown or misplaced field, a wrong type or an invalid value fails here as it would at
 * install. Returns kubectl's output.
 */
export async function serverDryRun(objects: KubernetesObject[]): Promise<string> {
  const manifest = objects.map((object) => stringify(object)).join('---\n');
  const result = await run('kubectl', ['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=haven-helm-test', '-f', '-'], {
    env: { KUBECONFIG: stackEnv('KUBECONFIG') },
    input: manifest,
  });
  if (result.code !== 0) throw new Error(`server-side dry-run refused the chart's objects: ${result.stderr}${result.stdout}`);
  return result.stdout;
}
