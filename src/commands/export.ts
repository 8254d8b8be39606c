/** `papers export`: the cache, or a filtered part, as a file other tools read. Streams. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config.js';
import { PapersError, UsageError } from '../errors.js';
import { renderAtom } from '../format/atom.js';
import { assignKeys, paperRef, renderBibtex } from '../format/bibtex.js';
import { renderDigestByDay, renderDigestSection } from '../format/markdown.js';
import { renderCsv, renderJson, renderJsonl, renderTsv } from '../format/records.js';
import { display, EXPORT_FORMATS, messages, writeChunks } from '../output.js';
import { paperDay, type Paper } from '../record.js';
import { compileQuery, parseQuery, type QueryNode } from '../query.js';
import type { PaperFilter, Store } from '../store/index.js';
import { allTopics } from '../topics.js';
import { openStore, paperOptions } from './common.js';
import type { ExportOptions } from '../cli/export.js';
import { plural } from '../format/words.js';

/** The papers of a filter, streamed from the cache. */
type Papers = (filter: PaperFilter) => Iterable<Paper>;

/** The export as a stream of text chunks; papers are read from the cache as they are written. */
function* render(store: Store, papers: Papers, format: string, filter: PaperFilter, opts: ExportOptions, self: string | undefined): Generator<string> {
  switch (format) {
    case 'bibtex': {
      // Keys are handed out over the whole cache in the order papers arrived, so a paper's key
      // is the same in every export (see assignKeys).
      const keyOf = assignKeys((function* () {
        for (const s of store.keyStubs()) yield { ref: paperRef(s), firstAuthor: s.firstAuthor, title: s.title, date: s.date };
      })());
      return yield* renderBibtex(papers(filter), keyOf);
    }
    case 'atom': {
      const { id, title } = feedIdentity(opts);
      const updated = store.latestSeen(filter) ?? new Date().toISOString();
      return yield* renderAtom(papers(filter), { id, title, updated, self });
    }
    case 'md':
      return yield* opts.group === 'topic' ? digestByTopic(papers, filter, opts) : digestByDay(papers, filter);
    case 'csv':
      return yield* renderCsv(papers(filter), display.fields);
    case 'tsv':
      return yield* renderTsv(papers(filter), display.fields);
    case 'jsonl':
      return yield* renderJsonl(papers(filter));
    default:
      return yield* renderJson(papers(filter));
  }
}

/**
 * A feed's id and title from the options as typed (not the dates they resolve to), so the
 * feed that cron rewrites every day with `--since 7d` keeps its id.
 */
function feedIdentity(opts: ExportOptions): { id: string; title: string } {
  const described: [string, unknown][] = [
    ['query', opts.query], ['topic', opts.topic ? [...opts.topic].sort() : undefined], ['author', opts.author],
    ['since', opts.since], ['until', opts.until], ['minUpvotes', opts.minUpvotes], ['source', opts.source],
    ['sort', opts.sort], ['limit', opts.limit],
  ];
  const given = described.filter(([, v]) => v !== undefined);
  const hash = createHash('sha256').update(JSON.stringify(given)).digest('hex').slice(0, 32);
  const words = [
    ...(opts.topic ?? []).map((t) => `topic ${t}`),
    opts.query !== undefined ? `“${opts.query}”` : null,
    opts.author !== undefined ? `author ${opts.author}` : null,
    opts.since !== undefined ? `since ${opts.since}` : null,
    opts.until !== undefined ? `until ${opts.until}` : null,
    opts.minUpvotes !== undefined ? `≥ ${opts.minUpvotes} upvotes` : null,
    opts.source !== undefined ? `from ${opts.source}` : null,
  ].filter((w): w is string => w !== null);
  return { id: `urn:papers:export:${hash}`, title: `papers${words.length ? ': ' + words.join(' · ') : ''}` };
}

/**
 * Grouped by day, newest day first. The days need date order: a digest of the top `-n` by
 * another order is gathered (at most n papers) and then put in date order; without -n the
 * papers are the same whatever the order, so they stream in date order (by upvotes within a day).
 */
function* digestByDay(papers: Papers, filter: PaperFilter): Generator<string> {
  const sort = filter.sort ?? 'date';
  if (sort === 'date' || filter.limit === undefined) return yield* renderDigestByDay(papers({ ...filter, sort: 'date' }));
  const day = (p: Paper) => paperDay(p) ?? '';
  yield* renderDigestByDay([...papers(filter)].sort((a, b) => (day(a) === day(b) ? 0 : day(a) < day(b) ? 1 : -1)));
}

/**
 * One section per topic (the --topic ones, else every topic), each with the papers of the
 * filter that match it (by upvotes unless --sort says otherwise; -n is per topic), then the
 * papers that match none of them.
 */
function* digestByTopic(papers: Papers, filter: PaperFilter, opts: ExportOptions): Generator<string> {
  const topics = allTopics(loadConfig());
  const names = opts.topic ?? Object.keys(topics).sort();
  const extra = opts.query !== undefined ? [parseQuery(opts.query)] : [];
  const { match: _match, notMatch: _notMatch, ...rest } = filter;
  const sort = filter.sort ?? 'upvotes';
  let first = true;
  const section = function* (heading: string, node: QueryNode): Generator<string> {
    const q = compileQuery(extra.length ? { kind: 'and', items: [node, ...extra] } : node, `topic ${heading}`);
    for (const chunk of renderDigestSection(heading, papers({ ...rest, ...q, sort: sort === 'relevance' && !q.match ? 'upvotes' : sort }), first)) {
      first = false;
      yield chunk;
    }
  };
  const nodes = names.map((name) => parseQuery(topics[name]!.query, `topic ${name}`));
  for (const [i, name] of names.entries()) yield* section(name, nodes[i]!);
  // With --topic, every paper of the filter is in one of the sections already.
  if (!opts.topic && nodes.length) yield* section('other', { kind: 'not', item: { kind: 'or', items: nodes } });
}

/** What went wrong with a file, in words. */
function fileProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'its directory does not exist',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
  };
  return (e.code && known[e.code]) ?? e.message;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Write chunks to `path` through a temporary file in the same directory, synced, then renamed
 * over it: a reader sees the old file or the whole new one, never a part. On any failure, and
 * on Ctrl-C or SIGTERM, the temporary file is removed and the old file stays as it was.
 */
async function writeFileAtomically(path: string, chunks: Iterable<string>): Promise<void> {
  // Write where a symbolic link points, and keep an existing file's permissions.
  const target = existsSync(path) ? realpathSync(path) : resolve(path);
  const mode = statSync(target, { throwIfNoEntry: false })?.mode;
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const io = <T>(step: () => T): T => {
    try {
      return step();
    } catch (err) {
      throw new PapersError(`cannot write ${path}: ${fileProblem(err)}`, { cause: err, hint: 'nothing was written there' });
    }
  };
  let fd: number | undefined;
  const cleanup = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    rmSync(tmp, { force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    fd = io(() => openSync(tmp, 'w'));
    if (mode !== undefined) io(() => fchmodSync(fd!, mode & 0o7777));
    let buffer = '';
    for (const chunk of chunks) {
      buffer += chunk;
      if (buffer.length < 1 << 16) continue;
      io(() => writeSync(fd!, buffer));
      buffer = '';
      // Let the event loop run, so that a signal is handled (and the temporary file removed).
      await new Promise((r) => setImmediate(r));
    }
    if (buffer) io(() => writeSync(fd!, buffer));
    io(() => fsyncSync(fd!));
    io(() => closeSync(fd!));
    fd = undefined;
    io(() => renameSync(tmp, target));
    try {
      // The rename itself reaches the disk when the directory is synced.
      const dir = openSync(dirname(target), 'r');
      fsyncSync(dir);
      closeSync(dir);
    } catch {
      // Not every file system lets a directory be opened or synced; the file is whole either way.
    }
  } catch (err) {
    cleanup();
    throw err;
  } finally {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  }
}

/** Whether `path` is the cache file or one of its companions (-wal, -shm), by any name. */
function isCacheFile(path: string, db: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const target = real(path);
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`].some((f) => real(f) === target);
}

export async function run(opts: ExportOptions): Promise<void> {
  // JSON unless a format is asked for.
  const { format, filter } = paperOptions(opts.json || opts.jsonl || opts.format ? opts : { ...opts, format: 'json' }, EXPORT_FORMATS);
  // Newest first, with or without a text query (a Markdown digest by topic orders each topic by
  // upvotes unless told otherwise).
  if (!filter.sort && !(format === 'md' && opts.group === 'topic')) filter.sort = 'date';
  if (opts.source) filter.source = opts.source;
  const output = opts.output !== '-' ? opts.output : undefined;
  if (output === '') throw new UsageError('--output: empty file name', { hint: 'give a file, or - for stdout' });
  const store = openStore(opts, { readOnly: true });
  try {
    if (output && isCacheFile(output, store.path)) throw new UsageError(`--output ${output} is the cache itself`, { hint: 'write the export to another file' });
    let count = 0;
    const papers: Papers = function* (f) {
      for (const p of store.query(f)) {
        count++;
        yield p;
      }
    };
    // One read transaction: a sync writing meanwhile changes nothing in this export.
    await store.readSnapshot(async () => {
      const self = output && format === 'atom' ? pathToFileURL(resolve(output)).href : undefined;
      const chunks = render(store, papers, format, filter, opts, self);
      if (output) await writeFileAtomically(output, chunks);
      else await writeChunks(chunks);
    });
    const what = format === 'md' && opts.group === 'topic' ? plural(count, 'entry', 'entries') : plural(count, 'paper');
    if (output) messages.info(`wrote ${what} to ${output} (${format})`);
    else if (count === 0) messages.info(store.count() === 0 ? 'the cache is empty (run papers today, papers fetch or papers import first)' : 'no papers match');
  } finally {
    store.close();
  }
}
