/**
 * The reading side of a streamed import, in a worker thread: decompression, splitting, JSON
 * parsing and the records' normalisation run beside the main thread, which only reads bytes
 * and stores. It is the bulk of a fresh import's work that is not the store's.
 *
 * Messages in: `{ chunk }` (input bytes, in order), then `{ end: true }`.
 * Messages out: `{ took }` when it takes a chunk (the main thread sends the next ones then, so
 * that neither side gets far ahead: memory stays flat), `{ batch, digests, stats }` for the records read,
 * and last `{ done, stats }` or `{ error, stats }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PapersError } from './errors.js';
import { parseRecordText, type StreamKind } from './import-stream.js';
import { readJsonRecords } from './json-records.js';
import { readSnapshot } from './sources/arxiv/snapshot.js';
import { inputDigest } from './store/input-digest.js';

export interface WorkerSetup {
  kind: StreamKind;
  categories?: string[];
  since?: string;
}

const port = parentPort!;
const setup = workerData as WorkerSetup;
const queue: (Buffer | null)[] = [];
let wake: (() => void) | null = null;
port.on('message', (m: { chunk?: Uint8Array; end?: boolean }) => {
  queue.push(m.chunk ? Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength) : null);
  wake?.();
});

async function* input(): AsyncGenerator<Buffer> {
  for (;;) {
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === null) return;
      port.postMessage({ took: c.length });
      yield c;
    }
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
}

const filters = { ...(setup.categories ? { categories: setup.categories } : {}), ...(setup.since ? { since: setup.since } : {}) };
const { batches, stats } = setup.kind === 'snapshot'
  ? readSnapshot(input(), filters)
  : readJsonRecords(input(), { ...filters, parse: parseRecordText, shape: setup.kind === 'records-json' ? 'array' : 'lines' });
try {
  // The store compares each paper's input digest with the last one it kept: made here, beside
  // the parsing, so that the storing thread does not hash.
  for await (const batch of batches) port.postMessage({ batch, digests: batch.map((p) => (p.id ? inputDigest(p) : undefined)), stats });
  port.postMessage({ done: true, stats });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  port.postMessage({ error: { message: e.message, hint: e instanceof PapersError ? (e.hint ?? null) : null, parse: e instanceof PapersError }, stats });
}
