/**
 * Records real exec API streams into test/hooks/fixtures/exec-streams/ for test/hooks/exec-streams.test.ts.
 *
 * The local stack has no kubelet, so this serves the kubelet's own exec code (test/support/exec-kubelet,
 * built once per Kubernetes version) and runs each case's command through it over a WebSocket, asking
 * for what the agent asks (v4.channel.k8s.io only). Every frame the server sends is kept as it came
 * (channel byte and payload), with the negotiated protocol and the close code.
 *
 *   npx tsx scripts/record-exec-streams.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { EXEC_PROTOCOL } from '../activities/cluster/exec/exec-stream.js';
import { buildExecKubelet } from './stack/exec-kubelet.js';
import { kubeVersion } from './stack/components/kube.js';
import { repoRoot } from './stack/paths.js';

export const EXEC_STREAMS_DIR = join(repoRoot, 'test', 'hooks', 'fixtures', 'exec-streams');

interface Case {
  name: string;
  /** What a hook in a pod would run. */
  command: string[];
  why: string;
}

const CASES: Case[] = [
  { name: 'exit-0-with-output', command: ['sh', '-c', 'echo frozen; echo note >&2'], why: 'a hook that passed, with output on both streams' },
  { name: 'exit-3-with-output', command: ['sh', '-c', 'echo out; echo err >&2; exit 3'], why: 'a failing hook: non-zero exit code in the status frame' },
  { name: 'exit-1-silent', command: ['sh', '-c', 'exit 1'], why: 'a failing hook that prints nothing: only the status frame says so' },
  { name: 'exit-255', command: ['sh', '-c', 'exit 255'], why: 'the largest exit code' },
  { name: 'fsfreeze-refused', command: ['sh', '-c', 'echo "fsfreeze: /data: freeze failed: Operation not permitted" >&2; exit 32'], why: 'the freeze hook this protects against: stderr and a non-zero code' },
  { name: 'killed-by-signal', command: ['sh', '-c', 'echo started; kill -9 $$'], why: 'the command killed by a signal: no exit code, an error status' },
  { name: 'command-not-found', command: ['/no/such/binary'], why: 'the command cannot start: an error status' },
  { name: 'large-output-exit-2', command: ['sh', '-c', "head -c 200000 /dev/zero | tr '\\0' x; exit 2"], why: 'output over many frames, then a failure' },
];

interface RecordedFrame {
  /** The channel byte: 1 stdout, 2 stderr, 3 status (v4: a metav1.Status as JSON). */
  channel: number;
  /** The payload after the channel byte, base64. */
  data: string;
}

export interface RecordedStream {
  case: string;
  why: string;
  command: string[];
  recordedWith: string;
  protocol: string;
  frames: RecordedFrame[];
  closeCode: number;
}

function record(port: number, testCase: Case): Promise<RecordedStream> {
  // The kubelet's own query names (the API server turns stdout=true into output=1 when it proxies).
  const query = [...testCase.command.map((c) => `command=${encodeURIComponent(c)}`), 'output=1', 'error=1'].join('&');
  const socket = new WebSocket(`ws://127.0.0.1:${port}/exec/haven-test/hooked-pod/app?${query}`, [EXEC_PROTOCOL]);
  const frames: RecordedFrame[] = [];
  return new Promise((resolve, reject) => {
    socket.on('message', (data: Buffer) => frames.push({ channel: data[0]!, data: data.subarray(1).toString('base64') }));
    socket.on('error', reject);
    socket.on('close', (closeCode) =>
      resolve({ case: testCase.name, why: testCase.why, command: testCase.command, recordedWith: `exec-kubelet (k8s.io/kubelet ${kubeVersion})`, protocol: socket.protocol, frames, closeCode }),
    );
  });
}

async function main(): Promise<void> {
  const binary = await buildExecKubelet();
  const server = spawn(binary, ['-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`exec-kubelet exited with ${code}`)));
    });
    const port = Number(/listening 127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
    mkdirSync(EXEC_STREAMS_DIR, { recursive: true });
    for (const testCase of CASES) {
      const stream = await record(port, testCase);
      writeFileSync(join(EXEC_STREAMS_DIR, `${testCase.name}.json`), `${JSON.stringify(stream, null, 1)}\n`);
      console.log(`${testCase.name}: ${stream.frames.length} frames over ${stream.protocol}, closed ${stream.closeCode}`);
    }
  } finally {
    server.kill();
  }
}

await main();
