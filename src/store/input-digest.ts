/**
 * A short digest of an input as the store receives it: 48 bits of its SHA-1, as hex. It is only
 * ever compared with the digest of an earlier input of the same paper and kind of source
 * (ingest.ts). Apart, so that the import's reading thread can make it (import-worker.ts) and
 * the storing thread, the bound of a large import, need not.
 */
import { createHash } from 'node:crypto';
import type { ParsedPaper } from '../record.js';

export function inputDigest(p: ParsedPaper): string {
  return createHash('sha1').update(JSON.stringify(p)).digest('hex').slice(0, 12);
}
