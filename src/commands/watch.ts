/** `papers watch add|list|show|remove`: named queries matched by sync. */
import { PapersError, UsageError } from '../errors.js';
import { messages, printPapers } from '../output.js';
import { queryToFts } from '../query.js';
import type { PaperFilter, Store, Watch } from '../store/index.js';
import { openStore, wholeNumber } from './common.js';
import type { WatchAddOptions, WatchOptions } from '../cli/watch.js';

/** A watch's query and options as a filter (usage error when the query is wrong). */
export function watchFilter(w: { name: string; query: string; minUpvotes: number | null }): PaperFilter {
  const filter: PaperFilter = { ...queryToFts(w.query, `watch ${w.name}`) };
  if (w.minUpvotes !== null) filter.minUpvotes = w.minUpvotes;
  return filter;
}

export async function add(opts: WatchAddOptions, name: string, words: string[]): Promise<void> {
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(name) || name.length > 64) throw new UsageError(`not a watch name: '${name}'`, { hint: 'letters, digits, ., _ and -, e.g. agents' });
  const query = words.join(' ');
  const minUpvotes = wholeNumber(opts.minUpvotes, '--min-upvotes', 0) ?? null;
  watchFilter({ name, query, minUpvotes });
  const store = openStore(opts);
  try {
    if (!store.marks.addWatch(name, query, minUpvotes)) throw new PapersError(`a watch named ${name} exists`, { hint: `papers watch remove ${name} first, or pick another name` });
    messages.info(`watch ${name} added: papers sync records the papers it adds or updates that match it`);
  } finally {
    store.close();
  }
}

function known(store: Store, name: string): Watch {
  const w = store.marks.watch(name);
  if (!w) {
    const names = store.marks.watches().map((x) => x.name);
    throw new PapersError(`no watch named ${name}`, { hint: names.length ? `watches: ${names.join(', ')}` : 'add one with papers watch add NAME QUERY' });
  }
  return w;
}

export async function list(opts: WatchOptions): Promise<void> {
  const store = openStore(opts);
  try {
    const watches = store.marks.watches();
    if (opts.json) {
      process.stdout.write(JSON.stringify(watches, null, 2) + '\n');
      return;
    }
    if (watches.length === 0) {
      messages.info('no watches yet (add one with papers watch add NAME QUERY)');
      return;
    }
    const width = Math.max(...watches.map((w) => w.name.length));
    for (const w of watches) {
      const min = w.minUpvotes !== null ? ` (≥ ${w.minUpvotes} upvotes)` : '';
      process.stdout.write(`${w.name.padEnd(width)}  ${w.query}${min}  · ${w.matches} matched, ${w.pending} not delivered\n`);
    }
  } finally {
    store.close();
  }
}

export async function show(opts: WatchOptions, name: string): Promise<void> {
  const store = openStore(opts);
  try {
    const w = known(store, name);
    const pending = [...store.query({ watch: { name, pending: true } })];
    if (opts.json) {
      const { toRecord } = await import('../format/records.js');
      process.stdout.write(JSON.stringify({ ...w, pendingPapers: pending.map(toRecord) }, null, 2) + '\n');
      return;
    }
    process.stdout.write(`${w.name}: ${w.query}${w.minUpvotes !== null ? ` (at least ${w.minUpvotes} upvotes)` : ''}\n${w.matches} matched, ${w.pending} not delivered yet\n`);
    if (pending.length > 0) await printPapers(pending, 'table');
  } finally {
    store.close();
  }
}

export async function remove(opts: WatchOptions, name: string): Promise<void> {
  const store = openStore(opts);
  try {
    known(store, name);
    store.marks.removeWatch(name);
    messages.info(`watch ${name} removed`);
  } finally {
    store.close();
  }
}

/** After an ingest: record every watch's matches among the papers written since `since`. */
export function matchWatches(store: Store, since: string): Record<string, number> {
  const watches = store.marks.watches();
  if (watches.length === 0) return {};
  return store.matchWatches(since, watches.map((w) => ({ name: w.name, filter: watchFilter(w) })));
}
