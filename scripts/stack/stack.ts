import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentState } from './component.js';
import { kubeControlPlane } from './components/kube.js';
import { minio } from './components/minio.js';
import { moto } from './components/moto.js';
import { postgres } from './components/postgres.js';
import { s3 } from './components/s3.js';
import { temporal } from './components/temporal.js';
import { ensureHostTools } from './host-tools.js';
import { runDir, stateFile } from './paths.js';
import { StackComponentError, say, seconds } from './progress.js';
import { spawnedFor, stopGroup } from './processes.js';

interface StackState {
  components: Record<string, ComponentState>;
  /**
   * The ports of components `down` stopped: the next `up` asks for them again, so what was registered
   * against the old addresses (the demo's storage target, a kubeconfig, a shell's env) keeps working.
   */
  stoppedPorts?: Record<string, Record<string, number>>;
}

const clusterIds = ['a', 'b', 'c', 'd'];

export function stackComponents(clusters: number): Component[] {
  return [postgres, temporal, s3, minio, moto, ...clusterIds.slice(0, clusters).map(kubeControlPlane)];
}

function loadState(): StackState {
  if (!existsSync(stateFile)) return { components: {} };
  return JSON.parse(readFileSync(stateFile, 'utf8')) as StackState;
}

function saveState(state: StackState): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

/** The environment of every recorded component, in the stack's own component order (stable output). */
export function stackEnv(state: StackState = loadState()): Record<string, string> {
  const ordered = stackComponents(clusterIds.length).flatMap((c) => (state.components[c.name] ? [state.components[c.name]!.env] : []));
  return Object.assign({ HAVEN_RUN_DIR: runDir }, ...ordered) as Record<string, string>;
}

function writeEnvFile(env: Record<string, string>): string {
  const file = join(runDir, 'env');
  writeFileSync(file, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}

async function bringUp(component: Component, state: StackState): Promise<void> {
  const started = Date.now();
  await component.install();
  const previous = state.components[component.name];
  if (previous && (await component.healthy(previous).catch(() => false))) {
    say(component.name, 'already running');
    return;
  }
  if (previous) await component.stop(previous).catch(() => undefined);
  const stoppedPorts = state.stoppedPorts?.[component.name];
  const last = previous ?? (stoppedPorts ? { pids: [], programHint: '', ports: stoppedPorts, env: {} } : undefined);
  try {
    state.components[component.name] = await component.start(last);
    delete state.stoppedPorts?.[component.name];
  } catch (err) {
    // Stop whatever this attempt spawned, so a failed `up` leaves nothing orphaned.
    for (const pid of spawnedFor(component.name)) await stopGroup(pid, 3000);
    throw err;
  }
  saveState(state);
  say(component.name, `ready in ${seconds(started)}`);
}

/**
 * Starts every component (idempotent: healthy ones are reused); `components` narrows it (a test that needs
 * only S3). Builds run one at a time because the
 * machine has few cores; servers start concurrently once their binaries exist.
 */
export async function up(clusters: number, components: Component[] = stackComponents(clusters)): Promise<Record<string, string>> {
  mkdirSync(runDir, { recursive: true });
  const state = loadState();
  await ensureHostTools();
  for (const component of components) await component.install();
  const results = await Promise.allSettled(components.map((c) => bringUp(c, state)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    for (const failure of failures) {
      process.stderr.write(`stack up failed: ${failure instanceof StackComponentError ? failure.message : String(failure)}\n`);
    }
    throw new Error(`${failures.length} component(s) failed to start; \`npm run stack -- down\` stops the rest`);
  }
  const env = stackEnv(state);
  say('stack', `environment written to ${writeEnvFile(env)}`);
  return env;
}

/**
 * Stops only what `up` started (the pids recorded in the state file), newest components first. Their ports
 * stay recorded, so the next `up` serves the same addresses (unless another program took one meanwhile).
 */
export async function down(): Promise<void> {
  const state = loadState();
  const stoppedPorts = { ...state.stoppedPorts };
  for (const [name, componentState] of Object.entries(state.components).reverse()) {
    const component = stackComponents(clusterIds.length).find((c) => c.name === name);
    if (!component) continue;
    await component.stop(componentState);
    stoppedPorts[name] = componentState.ports;
    say(name, 'stopped');
  }
  if (existsSync(stateFile)) saveState({ components: {}, stoppedPorts });
}

/** Forgets all data (databases, buckets, etcd) so the next `up` starts clean. */
export async function reset(): Promise<void> {
  await down();
  rmSync(runDir, { recursive: true, force: true });
  say('stack', `removed ${runDir}`);
}

export function status(): StackState {
  return loadState();
}

/**
 * Stops one running component and starts it again on the same ports and data (a server restart, as an
 * operator's upgrade or a crash-and-restart does it): the crash suite's hook for Temporal and Postgres.
 */
export async function restart(name: string, downtimeMs = 0): Promise<void> {
  const state = loadState();
  const component = stackComponents(clusterIds.length).find((c) => c.name === name);
  const previous = state.components[name];
  if (!component || !previous) throw new Error(`no running stack component "${name}" (running: ${Object.keys(state.components).join(', ') || 'none'})`);
  await component.stop(previous);
  if (downtimeMs > 0) await new Promise((resolveWait) => setTimeout(resolveWait, downtimeMs));
  state.components[name] = await component.start(previous);
  saveState(state);
}
