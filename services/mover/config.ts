import { parseArgs } from 'node:util';
import { readGatewaySettings, type GatewaySettings } from '../../lib/cluster-access/gateway-connection.js';

/** The mover pod's configuration, read once at start from its env (the pod spec) and arguments. */
export interface MoverConfig {
  gateway: GatewaySettings;
  /** The pod's mover token: the gateway lets it serve `taskQueue` and nothing else, while its job runs. */
  token: string;
  taskQueue: string;
  /** The volume as this process sees it (the emulator rewrites it; a real pod sees /data). */
  dataPath: string;
  /** The pod's memory limit, from the definition: the agent writes it into the pod spec, so it has no default here. */
  memoryLimitMiB: number;
  /** Host-volume pods: the PV to read in the pod volume directory at dataPath. */
  hostVolume?: string;
}

export class MoverConfigError extends Error {
  override name = 'MoverConfigError';
}

function required(env: NodeJS.ProcessEnv, name: string, meaning: string): string {
  const value = env[name];
  if (!value) throw new MoverConfigError(`${name} is not set: ${meaning} (the agent sets it in the mover pod's spec)`);
  return value;
}

export function readMoverConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): MoverConfig {
  const { values } = parseArgs({ args: argv, options: { 'memory-limit-mb': { type: 'string' } }, strict: true });
  if (values['memory-limit-mb'] === undefined) throw new MoverConfigError('--memory-limit-mb is not set: the pod\'s memory limit in MiB (the agent sets it in the mover pod\'s spec)');
  const memory = Number(values['memory-limit-mb']);
  if (!Number.isInteger(memory) || memory < 64) throw new MoverConfigError(`--memory-limit-mb must be a whole number of MiB ≥ 64, got ${values['memory-limit-mb']}`);
  return {
    gateway: readGatewaySettings(env, 'the agent sets it in the mover pod\'s spec'),
    token: required(env, 'HAVEN_MOVER_TOKEN', 'the pod\'s mover token, from its credentials Secret'),
    taskQueue: required(env, 'HAVEN_MOVER_TASK_QUEUE', 'the queue this pod serves'),
    dataPath: required(env, 'HAVEN_MOVER_DATA', 'where the volume is mounted'),
    memoryLimitMiB: memory,
    ...(env.HAVEN_MOVER_HOST_VOLUME ? { hostVolume: env.HAVEN_MOVER_HOST_VOLUME } : {}),
  };
}
