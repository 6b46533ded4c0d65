import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { EXEC_PROTOCOL } from '../../activities/cluster/exec/exec-stream.js';
import { KubernetesPodExecutor } from '../../activities/cluster/exec/kubernetes-pod-executor.js';
import { execHookInPod } from '../../activities/cluster/hooks/exec-in-pod.js';
import type { RecordedStream } from '../../scripts/record-exec-streams.js';

/**
 * The production executor reading exec streams recorded from the kubelet's own exec code
 * (scripts/record-exec-streams.ts): a server replays each recording frame by frame, and the hook
 * outcome must say what the command did. A failing freeze hook must never count as passed.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'exec-streams');
const recordings = new Map<string, RecordedStream>(
  readdirSync(FIXTURES).map((file) => {
    const stream = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as RecordedStream;
    return [stream.case, stream];
  }),
);

/** What each recorded command did, as the hook outcome must report it. */
const EXPECTED: Record<string, { status: 'SUCCEEDED' | 'FAILED'; exitCode: number | null; stdout?: string; stderr?: string; error?: string }> = {
  'exit-0-with-output': { status: 'SUCCEEDED', exitCode: 0, stdout: 'frozen\n', stderr: 'note\n' },
  'exit-3-with-output': { status: 'FAILED', exitCode: 3, stdout: 'out\n', stderr: 'err\n' },
  'exit-1-silent': { status: 'FAILED', exitCode: 1, stdout: '', stderr: '' },
  'exit-255': { status: 'FAILED', exitCode: 255 },
  'fsfreeze-refused': { status: 'FAILED', exitCode: 32, stderr: 'fsfreeze: /data: freeze failed: Operation not permitted\n' },
  'killed-by-signal': { status: 'FAILED', exitCode: null, error: 'EXEC_REJECTED' },
  'command-not-found': { status: 'FAILED', exitCode: null, error: 'EXEC_REJECTED' },
  'large-output-exit-2': { status: 'FAILED', exitCode: 2 },
};

type Frame = { channel: number; data: Buffer };
const framesOf = (stream: RecordedStream): Frame[] => stream.frames.map((f) => ({ channel: f.channel, data: Buffer.from(f.data, 'base64') }));
const statusFrame = (status: unknown): Frame => ({ channel: 3, data: Buffer.from(JSON.stringify(status)) });

/** Variants of the recordings for what a recording cannot show: other servers, broken connections. */
const VARIANTS: Record<string, { frames: Frame[]; drop?: boolean; hold?: boolean }> = {};
function variant(name: string, frames: Frame[], drop = false, hold = false) {
  VARIANTS[name] = { frames, drop, hold };
}

let server: WebSocketServer;
let executor: KubernetesPodExecutor;
const offered: string[][] = [];

beforeAll(async () => {
  const failing = framesOf(recordings.get('exit-3-with-output')!);
  const status = failing.at(-1)!;
  // v5's close signals for stdout and stderr before the status: a v4 server never sends them, a v5 one might.
  variant('close-signals', [...failing.slice(0, -1), { channel: 255, data: Buffer.of(1) }, { channel: 255, data: Buffer.of(2) }, status]);
  // The status over two messages.
  variant('split-status', [...failing.slice(0, -1), { channel: 3, data: status.data.subarray(0, 20) }, { channel: 3, data: status.data.subarray(20) }]);
  // The connection drops after the output, before the status.
  variant('dropped-before-status', failing.slice(0, -1), true);
  // A failure whose exit code cannot be read must not read as 0 (Number(' ') is 0).
  variant('unreadable-exit-code', [...failing.slice(0, -1), statusFrame({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: ' ' }] } })]);
  // A command still running: output so far, no status, the connection open.
  variant('still-running', failing.slice(0, -1), false, true);
  variant('status-not-json', [...failing.slice(0, -1), { channel: 3, data: Buffer.from('command terminated') }]);

  server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has(EXEC_PROTOCOL) ? EXEC_PROTOCOL : false) });
  server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    offered.push((request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()));
    const name = /\/pods\/([^/]+)\/exec/.exec(request.url ?? '')?.[1] ?? '';
    const recorded = recordings.get(name);
    const replay: { frames: Frame[]; drop?: boolean; hold?: boolean } | undefined = recorded ? { frames: framesOf(recorded) } : VARIANTS[name];
    if (!replay) return socket.close(1011, `no recording ${name}`);
    for (const frame of replay.frames) socket.send(Buffer.concat([Buffer.of(frame.channel), frame.data]), { binary: true });
    if (replay.drop) socket.terminate();
    else if (!replay.hold) socket.close(recorded?.closeCode ?? 1000);
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const config = new KubeConfig();
  const { port } = server.address() as { port: number };
  config.loadFromOptions({
    clusters: [{ name: 'replay', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'agent', token: 'cluster-token' }],
    contexts: [{ name: 'replay', cluster: 'replay', user: 'agent' }],
    currentContext: 'replay',
  });
  executor = new KubernetesPodExecutor(config);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

function runHook(pod: string) {
  return execHookInPod(executor, { namespace: 'haven-test', pod, container: 'app' }, { command: ['/bin/fsfreeze', '--freeze', '/data'], timeoutMs: 10_000, now: Date.now });
}

describe('exec streams recorded from the kubelet, read by the production executor', () => {
  it('has a recording for every expected case, over the one protocol the agent asks for', () => {
    expect([...recordings.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const stream of recordings.values()) expect(stream.protocol).toBe(EXEC_PROTOCOL);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: ${expected.status}${expected.exitCode === null ? ` (${expected.error})` : ` with exit code ${expected.exitCode}`}`, async () => {
      const outcome = await runHook(name);
      expect(outcome.status).toBe(expected.status);
      expect(outcome.exitCode).toBe(expected.exitCode);
      if (expected.stdout !== undefined) expect(outcome.stdoutTail).toBe(expected.stdout);
      if (expected.stderr !== undefined) expect(outcome.stderrTail).toBe(expected.stderr);
      if (expected.error) expect(outcome.error?.code).toBe(expected.error);
    });
  }

  it('reads a large output over many messages whole', async () => {
    const result = await executor.exec({ namespace: 'haven-test', pod: 'large-output-exit-2', container: 'app', command: ['sh'] });
    expect(result.stdout).toBe('x'.repeat(200_000));
    expect(result.exitCode).toBe(2);
  });

  it('offers v4.channel.k8s.io only, so the API server proxies the kubelet stream as recorded', () => {
    expect(offered.length).toBeGreaterThan(0);
    for (const protocols of offered) expect(protocols).toEqual([EXEC_PROTOCOL]);
  });
});

describe('what a recording cannot show', () => {
  it('close signals before the status neither hide the exit code nor touch the process streams', async () => {
    const outcome = await runHook('close-signals');
    expect(outcome).toMatchObject({ status: 'FAILED', exitCode: 3, stdoutTail: 'out\n', stderrTail: 'err\n' });
    expect(process.stdout.writableEnded).toBe(false);
    expect(process.stderr.writableEnded).toBe(false);
  });

  it('a status split over two messages is read whole', async () => {
    expect(await runHook('split-status')).toMatchObject({ status: 'FAILED', exitCode: 3 });
  });

  it('a connection dropped before the status is a failure, not a pass', async () => {
    expect(await runHook('dropped-before-status')).toMatchObject({ status: 'FAILED', exitCode: null, error: { code: 'STREAM_FAILED' } });
  });

  it('a failure whose exit code cannot be read, or a status that is not JSON, is a failure', async () => {
    expect(await runHook('unreadable-exit-code')).toMatchObject({ status: 'FAILED', exitCode: null, error: { code: 'STREAM_FAILED' } });
    expect(await runHook('status-not-json')).toMatchObject({ status: 'FAILED', exitCode: null, error: { code: 'STREAM_FAILED' } });
  });

  it('a hook that outlives its timeout is aborted and fails TIMED_OUT, and the connection is closed', async () => {
    const closed = new Promise<void>((resolve) => server.once('connection', (socket: WebSocket) => socket.once('close', () => resolve())));
    const outcome = await execHookInPod(executor, { namespace: 'haven-test', pod: 'still-running', container: 'app' }, { command: ['sleep', '1000'], timeoutMs: 300, now: Date.now });
    expect(outcome).toMatchObject({ status: 'FAILED', exitCode: null, error: { code: 'TIMED_OUT' } });
    await closed;
  });

  it('sends the cluster token the kubeconfig holds', async () => {
    const seen = new Promise<string | undefined>((resolve) => server.once('connection', (_socket: WebSocket, request: IncomingMessage) => resolve(request.headers.authorization)));
    await runHook('exit-0-with-output');
    expect(await seen).toBe('Bearer cluster-token');
  });
});
