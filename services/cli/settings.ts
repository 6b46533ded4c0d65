import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from './command.js';

/** Where `npm run demo` serves the API: the CLI reaches it without any setting. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export type SettingSource = 'flag' | 'environment' | 'config file' | 'default';

export interface CliSettings {
  server: string;
  apiKey: string;
  /** Where each value came from, for messages that say what to change. */
  sources: { server: SettingSource; apiKey: SettingSource };
}

/** The config file's keys, as `haven` reads them; any other key is a mistake worth naming. */
interface ConfigFile {
  server?: string;
  apiKey?: string;
}
const CONFIG_KEYS = ['server', 'apiKey'] as const;

/** HAVEN_CONFIG, else $XDG_CONFIG_HOME/haven/config.yaml, else ~/.config/haven/config.yaml. */
export function configFilePath(env: NodeJS.ProcessEnv): string {
  if (env.HAVEN_CONFIG) return env.HAVEN_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'haven', 'config.yaml');
}

function readConfigFile(path: string, explicit: boolean): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // The default file is optional; one named by HAVEN_CONFIG must exist.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return {};
    throw new UsageError(`config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new UsageError(`config file ${path}: not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`config file ${path}: expected a mapping with ${CONFIG_KEYS.join(' and ')}`);
  const config: ConfigFile = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) throw new UsageError(`config file ${path}: unknown key "${key}" (known: ${CONFIG_KEYS.join(', ')})`);
    if (typeof value !== 'string' || value === '') throw new UsageError(`config file ${path}: ${key} must be a non-empty string`);
    config[key as (typeof CONFIG_KEYS)[number]] = value;
  }
  return config;
}

/** Flags win over the environment, the environment over the config file. */
export function resolveSettings(flags: { server?: string | undefined; apiKey?: string | undefined }, env: NodeJS.ProcessEnv): CliSettings {
  const path = configFilePath(env);
  const file = readConfigFile(path, Boolean(env.HAVEN_CONFIG));
  const pick = (flag: string | undefined, variable: string | undefined, fromFile: string | undefined): [string | undefined, SettingSource] =>
    flag ? [flag, 'flag'] : variable ? [variable, 'environment'] : fromFile ? [fromFile, 'config file'] : [undefined, 'default'];
  const [server = DEFAULT_SERVER, serverSource] = pick(flags.server, env.HAVEN_SERVER, file.server);
  const [apiKey, apiKeySource] = pick(flags.apiKey, env.HAVEN_API_KEY, file.apiKey);
  if (!apiKey) throw new UsageError(`no API key: pass --api-key, set HAVEN_API_KEY, or put apiKey: in ${path}`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`server "${server}" (from ${serverSource}) is not a URL such as ${DEFAULT_SERVER}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`server "${server}" (from ${serverSource}) must be http:// or https://`);
  return { server, apiKey, sources: { server: serverSource, apiKey: apiKeySource } };
}
