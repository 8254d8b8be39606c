/**
 * A generated arXiv metadata snapshot (JSON Lines, optionally gzip) for the snapshot benches:
 * the real file's fields in its order, an abstract of about 1 KB, TeX accents in some names,
 * one to three versions, unique ids. Made once per size and kept in bench/.data/.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const DATA = join(fileURLToPath(new URL('..', import.meta.url)), 'bench', '.data');
const GENERATOR_VERSION = 1;

// A small deterministic generator (mulberry32), so the file is the same on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = 'model learning neural data network method results approach training performance large language show propose task tasks new based image using graph time optimal quantum field theory energy spectrum equation system problem algorithm'.split(' ');
const LAST = ['Smith', "Bal\\'azs", 'Nguyen', 'M\\"uller', 'Garc\\\'{\\i}a', 'Wang', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka'];
const FIRST = ['A.', 'Beatriz', 'C.-P.', 'Dmitri', 'Eun-ji', "Jos\\'e M.", 'Kari', 'Li', 'Omar', 'Zo\\"e'];
const CATS = ['cs.LG', 'cs.CL', 'cs.CV', 'stat.ML', 'math.CO', 'hep-th', 'quant-ph', 'astro-ph.GA', 'cond-mat.str-el', 'math.PR'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const rfc = (t) => {
  const d = new Date(t);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)} GMT`;
};

/** Lines in the real file's field order; ids unique: 25,000 a month from April 2007 on. */
function* lines(n) {
  const r = rng(17);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const words = (k) => Array.from({ length: k }, () => pick(WORDS)).join(' ');
  for (let i = 0; i < n; i++) {
    const month = Math.floor(i / 25_000);
    const y = 2007 + Math.floor((3 + month) / 12);
    const m = ((3 + month) % 12) + 1;
    const t = Date.UTC(y, m - 1, 1) + Math.floor(r() * 27 * 86_400_000);
    const id = `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}.${String(i % 25_000).padStart(5, '0')}`;
    const na = 1 + Math.floor(r() * 6);
    const parsed = Array.from({ length: na }, () => [pick(LAST), pick(FIRST), '']);
    const nv = 1 + Math.floor(r() * 3);
    const versions = Array.from({ length: nv }, (_, k) => ({ version: `v${k + 1}`, created: rfc(t + k * 40 * 86_400_000) }));
    const cats = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(CATS)))].join(' ');
    const abstract = `  ${Array.from({ length: 12 }, () => words(12)).join('\n')}\n`;
    yield `${JSON.stringify({
      id, submitter: `${parsed[0][1]} ${parsed[0][0]}`, authors: parsed.map((a) => `${a[1]} ${a[0]}`).join(', '),
      title: `${words(6)}\n  ${words(4)}`, comments: r() < 0.6 ? `${1 + Math.floor(r() * 40)} pages` : null,
      'journal-ref': r() < 0.2 ? `J. Synth. ${Math.floor(r() * 100)} (2019)` : null, doi: r() < 0.3 ? `10.0000/s.${i}` : null,
      'report-no': null, categories: cats, license: r() < 0.5 ? 'http://creativecommons.org/licenses/by/4.0/' : null,
      abstract, versions, update_date: new Date(t + (nv - 1) * 40 * 86_400_000).toISOString().slice(0, 10), authors_parsed: parsed,
    })}\n`;
  }
}

export async function snapshotFile(LINES, GZIP) {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `snapshot-${LINES}-g${GENERATOR_VERSION}.jsonl${GZIP ? '.gz' : ''}`);
  if (existsSync(file)) return file;
  process.stderr.write(`generating ${file} …\n`);
  const tmp = `${file}.tmp`;
  const source = Readable.from(lines(LINES));
  await (GZIP ? pipeline(source, createGzip({ level: 6 }), createWriteStream(tmp)) : pipeline(source, createWriteStream(tmp)));
  renameSync(tmp, file);
  return file;
}


/** Seconds for the import's reader alone (read, parse, recognise; no store) over `file`, in this process. */
export async function readingSeconds(file) {
  const { readSnapshot } = await import(join(DATA, '..', '..', 'dist', 'sources', 'arxiv', 'snapshot.js'));
  const started = performance.now();
  const { batches } = readSnapshot(createReadStream(file, { highWaterMark: 1 << 20 }));
  for await (const _ of batches);
  return (performance.now() - started) / 1000;
}
