import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { ContentDefinedChunker } from '../chunking/fastcdc.js';
import { CompressionHistory, sealChunk } from '../crypto/chunk-sealing.js';
import { chunkId } from '../crypto/chunk-id.js';
import { movable, onWorkerMessages } from '../controls/start-worker.js';
import { type FreedPiece, type PeerSealRequest, STREAM_SEQUENCE_BASE, type SealerReply, type SealerRequest, type SealWorkerData, type StreamReply } from './sealer-messages.js';

/**
 * Worker side of WorkerSealer: content-defined cutting of whole files, keyed hashing, compression and
 * encryption, all off the thread that walks and reads. A chunk's bytes stay here between its hash and the
 * main thread's verdict (`seal` or `drop`). A file is cut on one worker, since each cut depends on the
 * previous one, but its chunks may be sealed on another (`seal` with `on`): sealing is most of the work, and
 * a volume that is one big file (a database, a disk image, a block device) would otherwise keep one core busy
 * and leave the others idle.
 */
const setup = workerData as SealWorkerData;
const keys = { data: Buffer.from(setup.dataKey), id: Buffer.from(setup.idKey) };
const chunker = new ContentDefinedChunker(setup.chunking.params, setup.chunking.gear);
/**
 * A piece of a file received from the main thread. Once no chunk held here and no uncut tail is a view of
 * it, its buffer goes back (`freed`) to be read into again: fresh 4 MiB buffers for every read cost page
 * faults, and each worker's and the main thread's heap collected in full every 64 MB of them.
 */
interface Piece {
  buffer: ArrayBuffer;
  /** Views of it still in use: chunks held, the stream's tail, and 1 while it is being cut. */
  refs: number;
}
const held = new Map<number, { id: Buffer; data: Buffer; metadata: boolean; piece?: Piece }>();
/** Per file being cut here: bytes after its last cut (never empty), and the piece they are a view of. */
const streams = new Map<number, { tail: Buffer; piece?: Piece }>();
let streamChunks = 0;
/** Ports to the other workers, by index; null at our own. */
let peers: (MessagePort | null)[] = [];

/**
 * This thread's heap stays a few MB, so V8 collects it only when its outside allocations pass a limit it
 * raises as they grow: the sealed and compressed copies of every chunk, dead at once, piled up to ~100 MB
 * per worker before a collection. Collecting after every so many bytes sealed keeps that to about this
 * much; a collection of this small heap costs a few milliseconds.
 */
const COLLECT_EVERY_SEALED_BYTES = 32 * 1024 * 1024;
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
let sealedSinceCollection = 0;
const compressionHistory = new CompressionHistory();

function reply(message: SealerReply | StreamReply | FreedPiece, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function release(piece: Piece | undefined): void {
  if (piece && --piece.refs === 0) reply({ freed: piece.buffer }, [piece.buffer]);
}

function forgetStream(stream: number): void {
  release(streams.get(stream)?.piece);
  streams.delete(stream);
}

function asBuffer(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function hold(chunk: Buffer, chunks: StreamReply['chunks'], piece?: Piece): void {
  const id = chunkId(keys.id, chunk);
  const sequence = STREAM_SEQUENCE_BASE + streamChunks++ * setup.workers + setup.index;
  if (piece) piece.refs++;
  held.set(sequence, { id, data: chunk, metadata: false, piece });
  chunks.push({ sequence, id: new Uint8Array(id), length: chunk.length });
}

/**
 * Cuts what the stream has; chunks are views of the received pieces, which are ours to keep. The uncut
 * tail of the previous piece is joined only with the start of the next one: a chunk beginning in the tail
 * ends within `maxSize` of it, and the hash restarts at every cut, so the rest is cut in place.
 */
function cutStream(stream: number, data: Buffer, atEnd: boolean): StreamReply {
  const chunks: StreamReply['chunks'] = [];
  const piece: Piece = { buffer: data.buffer as ArrayBuffer, refs: 1 };
  const previous = streams.get(stream);
  let offset = 0;
  if (previous) {
    const tailLength = previous.tail.length;
    const joined = Buffer.concat([previous.tail, data.subarray(0, chunker.maxSize)]);
    // The tail is copied: its piece may go back now (which empties every view of it, the tail included).
    release(previous.piece);
    const joinedAtEnd = atEnd && joined.length === tailLength + data.length;
    let at = 0;
    while (at < tailLength) {
      const length = chunker.cut(joined, at, joined.length, joinedAtEnd);
      if (length === 0) break;
      hold(joined.subarray(at, at + length), chunks);
      at += length;
    }
    if (at < tailLength) {
      // Not enough for a cut: `joined` holds all there is.
      streams.set(stream, { tail: joined.subarray(at) });
      release(piece);
      return { stream, chunks };
    }
    offset = at - tailLength;
  }
  for (let length = chunker.cut(data, offset, data.length, atEnd); length > 0; length = chunker.cut(data, offset, data.length, atEnd)) {
    hold(data.subarray(offset, offset + length), chunks, piece);
    offset += length;
  }
  if (!atEnd && offset < data.length) {
    // The tail keeps the piece's cutting reference.
    streams.set(stream, { tail: data.subarray(offset), piece });
  } else {
    streams.delete(stream);
    release(piece);
  }
  return { stream, chunks };
}

onWorkerMessages((request: SealerRequest) => {
  if (request.op === 'stream') {
    try {
      reply(cutStream(request.stream, asBuffer(request.data), request.atEnd));
    } catch (error) {
      forgetStream(request.stream);
      reply({ stream: request.stream, chunks: [], error: (error as Error).message });
    }
    return;
  }
  if (request.op === 'abort-stream') {
    forgetStream(request.stream);
    return;
  }
  if (request.op === 'peers') {
    peers = request.ports;
    for (const port of peers) {
      if (!port) continue;
      port.on('message', (forwarded: PeerSealRequest) => sealAndReply(forwarded.sequence, asBuffer(forwarded.id), asBuffer(forwarded.data), forwarded.metadata));
      // The parent port alone decides when this thread ends (stopWorker).
      port.unref();
    }
    return;
  }
  try {
    if (request.op === 'hash') {
      const data = asBuffer(request.data);
      const id = chunkId(keys.id, data);
      held.set(request.sequence, { id, data, metadata: request.metadata });
      reply({ sequence: request.sequence, id: new Uint8Array(id) });
      return;
    }
    const chunk = held.get(request.sequence);
    held.delete(request.sequence);
    if (!chunk) return;
    if (request.op === 'drop') {
      release(chunk.piece);
      return;
    }
    const peer = request.on === undefined ? null : peers[request.on];
    if (!peer) {
      sealAndReply(request.sequence, chunk.id, chunk.data, chunk.metadata);
      release(chunk.piece);
      return;
    }
    // A copy of its own: the chunk is a view of a piece whose other chunks stay here.
    const data = new Uint8Array(chunk.data);
    const id = new Uint8Array(chunk.id);
    release(chunk.piece);
    peer.postMessage({ sequence: request.sequence, id, data, metadata: chunk.metadata } satisfies PeerSealRequest, [data.buffer]);
    collectNowAndThen(chunk.data.length);
  } catch (error) {
    reply({ sequence: request.sequence, error: (error as Error).message });
  }
});

function sealAndReply(sequence: number, id: Buffer, data: Buffer, metadata: boolean): void {
  try {
    const sealed = sealChunk(keys.data, id, data, setup.compressionLevel, metadata, compressionHistory);
    const stored = movable(sealed.stored);
    reply({ sequence, stored, flags: sealed.flags }, [stored.buffer as ArrayBuffer]);
    collectNowAndThen(data.length);
  } catch (error) {
    reply({ sequence, error: (error as Error).message });
  }
}

/** Counts bytes this thread is done with (sealed, or sent on to a peer): see COLLECT_EVERY_SEALED_BYTES. */
function collectNowAndThen(bytes: number): void {
  sealedSinceCollection += bytes;
  if (sealedSinceCollection >= COLLECT_EVERY_SEALED_BYTES) {
    sealedSinceCollection = 0;
    collect();
  }
}
