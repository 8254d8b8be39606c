/** `papers export`: the cache, or a filtered part, as a file other tools read. Streams. */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadConfig } from '../config.js';
import { PapersError } from '../errors.js';
import { renderAtom } from '../format/atom.js';
import { renderBibtex } from '../format/bibtex.js';
import { renderDigestByDay, renderDigestSection } from '../format/markdown.js';
import { renderCsv, renderJson, renderJsonl } from '../format/records.js';
import { messages, writeChunks } from '../output.js';
import type { SourceName } from '../record.js';
import { compileQuery, parseQuery } from '../query.js';
import type { PaperFilter, Store } from '../store.js';
import { allTopics } from '../topics.js';
import { openStore, paperOptions } from './common.js';

export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'md', 'bibtex', 'atom'];

/** The export as a stream of text chunks; papers are read from the cache as they are written. */
function* render(store: Store, format: string, filter: PaperFilter, opts: Record<string, unknown>): Generator<string> {
  const papers = store.query(filter);
  switch (format) {
    case 'bibtex':
      return yield* renderBibtex(papers);
    case 'atom': {
      const what = [opts.query ? `query ${String(opts.query)}` : null, ...((opts.topic as string[] | undefined) ?? []).map((t) => `topic ${t}`)].filter(Boolean).join(', ');
      return yield* renderAtom(papers, { title: `papers${what ? ` — ${what}` : ''}`, id: `urn:papers:export:${encodeURIComponent(what || 'all')}`, now: new Date().toISOString() });
    }
    case 'md':
      if (opts.group !== 'topic') return yield* renderDigestByDay(papers);
      return yield* digestByTopic(store, filter, opts);
    case 'csv':
      return yield* renderCsv(papers);
    case 'jsonl':
      return yield* renderJsonl(papers);
    default:
      return yield* renderJson(papers);
  }
}

/** One section per topic (the --topic ones, else all), each with the papers of the filter in it. */
function* digestByTopic(store: Store, filter: PaperFilter, opts: Record<string, unknown>): Generator<string> {
  const topics = allTopics(loadConfig());
  const names = ((opts.topic as string[] | undefined) ?? Object.keys(topics).sort()).filter((n) => Object.hasOwn(topics, n));
  const extra = opts.query ? [parseQuery(String(opts.query))] : [];
  let first = true;
  for (const name of names) {
    const q = compileQuery({ kind: 'and', items: [parseQuery(topics[name]!.query, `topic ${name}`), ...extra] });
    const { match: _m, notMatch: _n, ...rest } = filter;
    for (const chunk of renderDigestSection(name, store.query({ ...rest, ...q, sort: filter.sort ?? 'upvotes' }), first)) {
      first = false;
      yield chunk;
    }
  }
}

/** Write chunks to `path` through a temporary file in the same directory, synced, then renamed. */
function writeFileAtomically(path: string, parts: Iterable<string>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    let buffer = '';
    for (const part of parts) {
      buffer += part;
      if (buffer.length >= 1 << 16) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer) writeSync(fd, buffer);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new PapersError(`cannot write ${path}: ${(err as Error).message}`, { cause: err, hint: 'nothing was written there' });
  }
}

export async function run(opts: Record<string, unknown>): Promise<void> {
  if (!opts.json && !opts.jsonl && !opts.format) opts.format = 'json';
  const { format, filter } = paperOptions(opts, EXPORT_FORMATS);
  if (opts.source) filter.source = opts.source as SourceName;
  const store = openStore(opts);
  try {
    const chunks = render(store, format, filter, opts);
    if (typeof opts.output === 'string') {
      writeFileAtomically(opts.output, chunks);
      messages.info(`wrote ${opts.output} (${format})`);
    } else {
      await writeChunks(chunks);
    }
  } finally {
    store.close();
  }
}
