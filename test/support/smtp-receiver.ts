import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/stack/ports.js';
import { pythonVenv } from '../../scripts/stack/toolchain.js';

const AIOSMTPD_VERSION = '1.4.6';

export interface SmtpReceiver {
  host: string;
  port: number;
  /** The raw messages received so far (RFC 5322 text). */
  messages(): string[];
  /** Resolves once `count` messages are in the mailbox, or fails after `timeoutMs`. */
  received(count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real SMTP server, aiosmtpd from PyPI (in a venv under the stack's cache, built the first time like
 * moto's), storing what it accepts in a Maildir the test reads.
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const bin = await pythonVenv('aiosmtpd', `aiosmtpd-${AIOSMTPD_VERSION}`, [`aiosmtpd==${AIOSMTPD_VERSION}`], 'aiosmtpd');
  const maildir = mkdtempSync(join(tmpdir(), 'haven-maildir-'));
  const port = await freePort();
  const child: ChildProcess = spawn(join(bin, 'aiosmtpd'), ['-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(maildir, 'box')], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`aiosmtpd did not answer on 127.0.0.1:${port}`);
    await sleep(100);
  }
  const messages = () => {
    const dir = join(maildir, 'box', 'new');
    try {
      return readdirSync(dir).sort().map((file) => readFileSync(join(dir, file), 'utf8'));
    } catch {
      return [];
    }
  };
  return {
    host: '127.0.0.1',
    port,
    messages,
    async received(count, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (messages().length < count) {
        if (Date.now() > until) throw new Error(`${count} mail(s) expected, ${messages().length} received`);
        await sleep(100);
      }
      return messages();
    },
    async close() {
      child.kill('SIGTERM');
      rmSync(maildir, { recursive: true, force: true });
    },
  };
}
