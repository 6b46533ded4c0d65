import { createCipheriv, createHash, type Cipheriv } from 'node:crypto';

const ZEROS = Buffer.alloc(8 * 1024 * 1024);

/**
 * A seeded generator, so every tool and every run sees the same bytes: an AES-256-CTR keystream for bulk
 * bytes (incompressible, hardware-fast) and a 32-bit mulberry generator for choices (a cipher call per
 * integer would dominate the generation of 100k tiny files).
 */
export class Seeded {
  private readonly stream: Cipheriv;
  private state: number;

  constructor(seed: string) {
    const digest = createHash('sha256').update(seed).digest();
    this.stream = createCipheriv('aes-256-ctr', digest, Buffer.alloc(16));
    this.state = digest.readUInt32LE(0);
  }

  /** Uniform in [0, 2^32). */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, max). */
  int(max: number): number {
    return Math.floor((this.uint32() / 2 ** 32) * max);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.uint32() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Incompressible bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let at = 0; at < length; at += ZEROS.length) {
      const n = Math.min(ZEROS.length, length - at);
      this.stream.update(ZEROS.subarray(0, n)).copy(out, at);
    }
    return out;
  }

  /** Bytes from a small alphabet (machine code, bitmaps): compressible about 2×, not more. */
  lowEntropy(length: number, alphabetBits = 4): Buffer {
    const out = this.bytes(length);
    const mask = (1 << alphabetBits) - 1;
    for (let i = 0; i < length; i++) out[i] = (out[i]! & mask) * 13;
    return out;
  }
}

const WORDS = (
  'the a an of to in for on with at by from up about into over after backup restore volume snapshot tenant cluster ' +
  'namespace pod node disk page table index row column select insert update delete commit rollback error warn info ' +
  'debug request response latency bytes seconds user order invoice customer product price quantity status pending ' +
  'shipped cancelled paid refund session token cache miss hit queue worker retry timeout connection closed opened'
).split(' ');
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
const SERVICES = ['api', 'worker', 'scheduler', 'gateway', 'billing', 'auth', 'search', 'mailer'];

function textLine(random: Seeded, time: number): string {
  const words = 3 + random.int(9);
  let message = '';
  for (let w = 0; w < words; w++) message += `${random.pick(WORDS)} `;
  return random.int(3) === 0
    ? `(${random.uint32()}, '${random.pick(SERVICES)}-${random.int(10_000)}', ${random.int(1_000_000) / 100}, '${message.trim()}', ${random.chance(0.5)})\n`
    : `${new Date(time).toISOString()} ${random.pick(LEVELS)} [${random.pick(SERVICES)}] req=${random.uint32().toString(16)} ${message}took=${random.int(5000)}ms\n`;
}

/**
 * 64k distinct lines (about 6 MB, more than zstd's window at the levels the tools use, so picking from
 * the pool compresses like fresh text): building every line afresh ran at 3 MB/s.
 */
const POOL_LINES = 65_536;
let pool: Buffer[] | undefined;

function linePool(): Buffer[] {
  if (pool) return pool;
  const random = new Seeded('haven-bench-text-pool');
  let time = 1_780_000_000_000;
  pool = [];
  for (let i = 0; i < POOL_LINES; i++) pool.push(Buffer.from(textLine(random, (time += random.int(2_000)))));
  return pool;
}

/**
 * Text the way logs, SQL rows and configuration read: words from a vocabulary, numbers, ids and
 * timestamps that differ from line to line, so it compresses about 3× like real text, not 50× like a
 * repeated sentence would.
 */
export function textBytes(random: Seeded, length: number): Buffer {
  const lines = linePool();
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) at += lines[random.int(lines.length)]!.copy(out, at);
  return out;
}
