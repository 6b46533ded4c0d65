import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { HAVEN_PROCESS_COMMANDS } from '../../lib/common/haven-image.js';
import { helmBinary } from '../../scripts/helm/helm-binary.js';
import type { HavenImageBuild } from '../../scripts/image/build.js';
import { IMAGE_WORKDIR } from '../../scripts/image/spec.js';
import { havenImageBuild } from '../image/helpers/image-container.js';
import { AGENT_CHART, CONTROL_PLANE_CHART, HELM_BUILD_TIMEOUT_MS, renderChart } from './helpers/helm.js';

/**
 * Every container either chart runs starts one of the image's process commands (HAVEN_PROCESS_COMMANDS),
 * and the script each names is in the built image: a chart naming an entrypoint the image lacks, or
 * one the code no longer knows, fails here rather than as a crash-looping pod.
 */
const controlPlaneValues = {
  temporal: { address: 'temporal:7233' },
  database: { url: 'postgres://haven:pw@postgres:5432/haven' },
  secrets: { secretKey: generateKeyEntry('k1'), payloadKey: generateKeyEntry('p1') },
  gateway: { allowPlaintext: true },
};
const agentValues = { clusterId: '00000000-0000-4000-8000-000000000000', token: 'agent-token', gateway: { address: 'gateway:7243' } };

function containersOf(objects: KubernetesObject[]): V1Container[] {
  return objects.flatMap((object) => {
    const template = (object as { spec?: { template?: V1PodTemplateSpec } }).spec?.template?.spec;
    return template ? [...(template.initContainers ?? []), ...template.containers] : [];
  });
}

let image: HavenImageBuild;
let commands: { chart: string; container: string; command: string[] }[];

beforeAll(async () => {
  await helmBinary();
  image = await havenImageBuild();
  commands = [];
  for (const [chart, values] of [
    [CONTROL_PLANE_CHART, controlPlaneValues],
    [AGENT_CHART, agentValues],
  ] as const) {
    for (const container of containersOf(await renderChart(chart, values))) commands.push({ chart, container: container.name, command: container.command ?? [] });
  }
}, HELM_BUILD_TIMEOUT_MS);

describe("the charts' containers", () => {
  it('are the api, worker, gateway and migrate processes of the control plane and the agent', () => {
    const known = Object.entries(HAVEN_PROCESS_COMMANDS);
    const named = commands.map(({ command }) => known.find(([, argv]) => JSON.stringify(argv) === JSON.stringify(command))?.[0] ?? `unknown: ${command.join(' ')}`);
    expect([...new Set(named)].sort()).toEqual(['agent', 'api', 'gateway', 'migrate', 'worker']);
  });

  it("name scripts the built image holds under its working directory", () => {
    const scripts = Object.values(HAVEN_PROCESS_COMMANDS).map((argv) => argv.at(-1) as string);
    expect(scripts.filter((script) => !existsSync(join(image.rootfs, IMAGE_WORKDIR, script)))).toEqual([]);
    // And the image's Node, which every command starts.
    expect(existsSync(join(image.rootfs, 'usr', 'local', 'bin', 'node'))).toBe(true);
  });
});
