/**
 * `papers digest`: each watch's matches not delivered before. Delivery is recorded only once
 * the digest is written whole (stdout flushed, the --output file renamed into place, or the
 * --exec command ended with exit 0), so a failed mail run delivers the same papers next time.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDateArg } from '../dates.js';
import { PapersError, UsageError } from '../errors.js';
import type { Digest, DigestGroup } from '../format/digest.js';
import { messages } from '../output.js';
import { paperKey, type PaperFilter, type Store } from '../store/index.js';
import { forYouOrder, leaveOutHidden, openStore, wholeNumber } from './common.js';
import type { DigestOptions } from '../cli/watch.js';
import { watchFilter } from './watch.js';
import { plural } from '../format/words.js';

async function render(digest: Digest, format: DigestOptions['format']): Promise<string> {
  const d = await import('../format/digest.js');
  switch (format) {
    case 'html':
      return (await import('../format/html.js')).renderDigestHtml(digest);
    case 'atom':
      return [...d.renderDigestAtom(digest)].join('');
    case 'json':
      return [...d.renderDigestJson(digest)].join('');
    default:
      return [...d.renderDigestMarkdown(digest)].join('');
  }
}

/** Write all of `text` to stdout; resolves once it has been handed to the OS, rejects on an error. */
function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Write the file whole under a temporary name, then rename it into place. */
async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw new PapersError(`cannot write ${path}: ${(err as Error).message}`, { cause: err, hint: 'check the path; nothing was marked delivered' });
  }
}

/** Pipe the digest into `sh -c cmd`; resolves with its exit code (stdout and stderr are the user's). */
function runExec(cmd: string, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.once('error', reject);
    // A command that exits without reading all of it closes the pipe: its exit code decides.
    child.stdin.on('error', () => {});
    child.stdin.end(text);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function run(opts: DigestOptions): Promise<void> {
  const format = opts.format;
  if (opts.since !== undefined && opts.sinceLast) throw new UsageError('--since and --since-last cannot go together');
  const since = opts.since !== undefined ? parseDateArg(opts.since, '--since') : undefined;
  const limit = wholeNumber(opts.limit, '--limit');
  if (opts.exec !== undefined && !opts.exec.trim()) throw new UsageError('--exec: empty command');
  const store: Store = openStore(opts);
  try {
    const all = store.marks.watches();
    const wanted = opts.watch ?? [];
    const unknown = wanted.filter((n) => !all.some((w) => w.name === n));
    if (unknown.length > 0) throw new PapersError(`no watch named ${unknown.join(', ')}`, { hint: all.length ? `watches: ${all.map((w) => w.name).join(', ')}` : 'add one with papers watch add NAME QUERY' });
    const watches = wanted.length ? all.filter((w) => wanted.includes(w.name)) : all;
    if (watches.length === 0) throw new PapersError('no watches yet', { hint: 'add one with papers watch add NAME QUERY, then run papers sync' });

    const groups: DigestGroup[] = [];
    for (const w of watches) {
      // --since: every cached paper of those days the watch matches; else its undelivered matches.
      const filter: PaperFilter = since ? { ...watchFilter(w), since } : { ...(w.minUpvotes !== null ? { minUpvotes: w.minUpvotes } : {}), watch: { name: w.name, pending: true } };
      leaveOutHidden(filter);
      filter.sort = opts.sort === 'upvotes' ? 'upvotes' : 'date';
      if (opts.sort !== 'for-you' && limit !== undefined) filter.limit = limit;
      const papers = opts.sort === 'for-you' ? await forYouOrder(store, store.query(filter), limit) : [...store.query(filter)];
      groups.push({ watch: { name: w.name, query: w.query }, papers });
    }
    const total = groups.reduce((n, g) => n + g.papers.length, 0);
    if (total === 0) {
      messages.info(`nothing new for ${watches.length === 1 ? `watch ${watches[0]!.name}` : `${watches.length} watches`}`);
      // A script reading JSON or a feed still gets a valid, empty document; mail gets nothing.
      if (opts.exec || opts.output || format === 'md' || format === 'html') return;
    }
    const digest: Digest = { title: 'papers digest', generatedAt: new Date().toISOString(), groups };
    const text = await render(digest, format);

    if (opts.exec !== undefined) {
      const code = await runExec(opts.exec, text).catch((err: Error) => {
        throw new PapersError(`cannot run --exec: ${err.message}`, { cause: err, hint: 'nothing was marked delivered' });
      });
      if (code !== 0) throw new PapersError(`the --exec command failed (exit ${code})`, { hint: 'nothing was marked delivered; the next digest sends these papers again' });
    } else if (opts.output !== undefined) {
      await writeFileAtomically(opts.output, text);
    } else {
      await writeStdout(text);
    }
    const now = new Date().toISOString();
    store.transaction(() => {
      for (const g of groups) store.marks.markDelivered(g.watch.name, g.papers.map((p) => paperKey(p.id, p.title)), now);
    });
    messages.info(`delivered ${plural(total, 'paper')} of ${groups.filter((g) => g.papers.length > 0).length} watch${groups.length === 1 ? '' : 'es'}`);
  } finally {
    store.close();
  }
}
