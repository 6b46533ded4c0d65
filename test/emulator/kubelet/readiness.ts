import { connect } from 'node:net';
import type { V1ContainerPort, V1Probe } from '@kubernetes/client-node';

/**
 * How often a readiness probe runs here at most: the probe's own periodSeconds (default 10 s) would
 * make every test wait seconds for a pod to turn Ready; the outcome, not its timing, is what tests see.
 */
const MAX_PERIOD_MS = 500;

/** The port a probe names, by number or by the container's port name. */
function portOf(port: number | string | undefined, ports: V1ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

/**
 * One run of an httpGet or tcpSocket probe against the container, which shares this machine's network:
 * HTTP 200–399 or an accepted connection passes, as the kubelet's prober decides. An exec probe is not
 * run (reported passing), nor is anything this emulator cannot reach.
 */
export async function probeOnce(probe: V1Probe, ports: V1ContainerPort[]): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = portOf(probe.httpGet.port, ports);
    if (port === undefined) return false;
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    try {
      const response = await fetch(`${scheme}://127.0.0.1:${port}${probe.httpGet.path ?? '/'}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket) {
    const port = portOf(probe.tcpSocket.port, ports);
    if (port === undefined) return false;
    return new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', timeout: timeoutMs });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      socket.once('timeout', () => done(false));
    });
  }
  return true;
}

/**
 * Runs the readiness probe after its initial delay, then periodically, and reports each change of the
 * outcome (the first result included) as the kubelet's prober does. Returns the function that stops it.
 */
export function watchReadiness(probe: V1Probe, ports: V1ContainerPort[], onChange: (ready: boolean) => void): () => void {
  let stopped = false;
  let last: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  const period = Math.min((probe.periodSeconds ?? 10) * 1000, MAX_PERIOD_MS);
  const tick = async () => {
    if (stopped) return;
    const ready = await probeOnce(probe, ports);
    if (stopped) return;
    if (ready !== last) {
      last = ready;
      onChange(ready);
    }
    timer = setTimeout(() => void tick(), period);
  };
  timer = setTimeout(() => void tick(), Math.min((probe.initialDelaySeconds ?? 0) * 1000, MAX_PERIOD_MS));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
