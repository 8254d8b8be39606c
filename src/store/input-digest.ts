/**
 * A short digest of an input as the store receives it: 48 bits of its SHA-1, as hex. It is only
 * ever compared with the digest of an earlier input of the same paper and kind of source
 * (ingest.ts). Apart, so that the import's reading thread can make it (import-worker.ts) and
 * the storing thread, the bound of a large import, need not.
 */
import type { ParsedPaper } from '../record.js';

let hash: typeof import('node:crypto').hash | undefined;

export function inputDigest(p: ParsedPaper): string {
  // node:crypto is loaded at the first digest, not with the store: loading it took ~6 ms of
  // every command's start, and reading commands never make a digest.
  hash ??= process.getBuiltinModule('node:crypto').hash;
  // The one-shot hash: half the cost of a Hash object for inputs of a few kB.
  return hash('sha1', JSON.stringify(p), 'hex').slice(0, 12);
}
