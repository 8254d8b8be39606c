/** Options shared by commands, validated once at the edge into typed values. */
import { PapersError, UsageError } from '../errors.js';
import { messages, resolveFormat } from '../output.js';
import { parseDateArg } from '../dates.js';
import { dbPathOf, requireCache } from '../paths.js';
import { Store, type PaperFilter } from '../store/index.js';
import { loadConfig, type Config } from '../config.js';
import { compileQuery, mentionsHidden, parseQuery, type CompiledQuery, type QueryNode } from '../query.js';
import type { Paper } from '../record.js';
import { topicQuery } from '../topics.js';
import type { TableOptions } from '../format/table.js';
import type { PaperFlags, RequestFlags } from '../cli/options.js';

/**
 * The papers of `filter` to print, and for a table sorted by --sort rising the column of the
 * gain it was sorted by (`+12`): a reader sees why a paper with fewer upvotes is ranked first.
 */
export function papersToShow(store: Store, filter: PaperFilter, format: string): { papers: Iterable<Paper>; extra?: TableOptions['extra'] } {
  if (filter.sort !== 'rising' || format !== 'table') return { papers: store.query(filter) };
  const gains = new Map<Paper, number | null>();
  const papers = (function* () {
    for (const { paper, gain } of store.queryRising(filter)) {
      gains.set(paper, gain);
      yield paper;
    }
  })();
  const value = (p: Paper) => {
    const gain = gains.get(p);
    return gain === null || gain === undefined ? '' : gain > 0 ? `+${gain}` : String(gain);
  };
  return { papers, extra: { head: 'gain', value } };
}

export interface PaperOptions {
  format: string;
  filter: PaperFilter;
  /** --sort for-you: rank by closeness to the starred papers (forYouOrder), then cut to this limit. */
  forYou?: { limit: number | undefined };
}

/** A count option (--limit, --min-upvotes, --retries): a whole number of at least `min`. */
export function wholeNumber(value: string | undefined, option: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (!/^\d+$/.test(s) || Number(s) < min) throw new UsageError(`${option}: '${value}' is not a ${min > 0 ? 'positive' : 'non-negative'} whole number`);
  return Number(s);
}

/**
 * The output format and the cache filter from the options every paper-printing command has.
 * `config`: the config file when the command has read it already (else read for --topic only).
 */
export function paperOptions(opts: PaperFlags, formats?: readonly string[], config?: Config): PaperOptions {
  const format = resolveFormat(opts, formats);
  const filter: PaperFilter = {};
  const limit = wholeNumber(opts.limit, '--limit');
  if (limit !== undefined) filter.limit = limit;
  if (opts.sort && opts.sort !== 'for-you') filter.sort = opts.sort;
  if (opts.author !== undefined) {
    if (!opts.author.trim()) throw new UsageError('--author: empty name');
    filter.author = opts.author.trim();
  }
  if (opts.since !== undefined) filter.since = parseDateArg(opts.since, '--since');
  if (opts.until !== undefined) filter.until = parseDateArg(opts.until, '--until');
  if (filter.since && filter.until && filter.since > filter.until) throw new UsageError(`--since ${filter.since} is after --until ${filter.until}`);
  const minUpvotes = wholeNumber(opts.minUpvotes, '--min-upvotes', 0);
  if (minUpvotes !== undefined) filter.minUpvotes = minUpvotes;
  Object.assign(filter, textQuery(opts, config));
  if (filter.sort === 'relevance' && !filter.match) throw new UsageError('--sort relevance needs a text query', { hint: 'add -q <words> or --topic <name>' });
  const marks = markFilter(opts);
  if (marks) filter.marks = marks;
  if (opts.sort === 'for-you') {
    const forYou = { limit: filter.limit };
    delete filter.limit;
    return { format, filter, forYou };
  }
  return { format, filter };
}

/** --unseen, --starred, --hidden, --tag as a filter (tags are kept lower-case). */
function markFilter(opts: PaperFlags): PaperFilter['marks'] {
  const m: NonNullable<PaperFilter['marks']> = {};
  if (opts.unseen) m.unseen = true;
  if (opts.starred) m.starred = true;
  if (opts.hidden) m.hidden = 'only';
  const tags = (opts.tag ?? []).map((t) => t.trim().toLowerCase());
  if (tags.some((t) => t === '')) throw new UsageError('--tag: empty tag');
  if (tags.length > 0) m.tags = tags;
  return Object.keys(m).length > 0 ? m : undefined;
}

/** Leave hidden papers out (list, today, digest) unless the user asked for them (--hidden, is:hidden). */
export function leaveOutHidden(filter: PaperFilter): void {
  if (filter.marks?.hidden || mentionsHidden(filter)) return;
  filter.marks = { ...filter.marks, hidden: 'exclude' };
}

/**
 * Papers in the order of --sort for-you: closest to a starred paper first. With nothing
 * starred there is nothing to rank by: a clear error (exit 1).
 */
export async function forYouOrder(store: Store, papers: Iterable<Paper>, limit: number | undefined): Promise<Paper[]> {
  const { forYou } = await import('../similar.js');
  const starred = [...store.query({ marks: { starred: true } })].filter((p): p is Paper & { id: string } => p.id !== null);
  if (starred.length === 0) throw new PapersError('no starred papers to rank by', { hint: 'star a few with papers star <id>, then try --sort for-you again' });
  const list = [...papers];
  const byId = new Map(list.filter((p) => p.id !== null).map((p) => [p.id!, p]));
  const docs = [...byId.values()].map((p) => ({ id: p.id!, title: p.title, summary: p.summary, keywords: p.keywords }));
  const hits = forYou(starred.map((p) => ({ id: p.id, title: p.title, summary: p.summary, keywords: p.keywords })), docs, { stats: store.termStats() });
  const ranked = hits.map((h) => byId.get(h.id)!);
  // Starred papers (and any without an id) have no closeness to themselves: they follow, in their order.
  const hit = new Set(hits.map((h) => h.id));
  const rest = list.filter((p) => p.id === null || !hit.has(p.id));
  const out = [...ranked, ...rest];
  return limit === undefined ? out : out.slice(0, limit);
}

/** -q and --topic (any of them) as one FTS query: the topics ORed, then ANDed with -q. */
function textQuery(opts: PaperFlags, config?: Config): CompiledQuery {
  const topics = opts.topic ?? [];
  const parts: QueryNode[] = [];
  if (topics.length > 0) {
    const known = config ?? loadConfig();
    const nodes = topics.map((t) => topicQuery(t, known));
    parts.push(nodes.length === 1 ? nodes[0]! : { kind: 'or', items: nodes });
  }
  if (opts.query !== undefined) {
    parts.push(parseQuery(opts.query));
    // Only upper-case OR is the operator; a lower-case one between words is searched for.
    if (/\S\s+or\s+\S/.test(opts.query)) messages.warn(`'or' in -q is a word to search for; write OR (capitals) for either of two words`);
  }
  if (parts.length === 0) return {};
  return compileQuery(parts.length === 1 ? parts[0]! : { kind: 'and', items: parts });
}

/** The request timeout from --timeout <s>, in ms. */
function timeoutMs(opts: Pick<RequestFlags, 'timeout'>): number {
  const s = Number(opts.timeout ?? 30);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout: '${opts.timeout}' is not a positive number of seconds`);
  return s * 1000;
}

/** The request options, parsed: what every command's HTTP client is made with (runs.ts makeHttp). */
export interface HttpSettings {
  timeoutMs: number;
  retries: number;
  log: (m: string) => void;
  /** --timeout given: a deadline for the whole command, not only for each attempt. */
  explicitTimeout: boolean;
}

/** HttpClient options from --timeout, --retries and --verbose: one place for every command. */
export function httpOptions(opts: RequestFlags): HttpSettings {
  const retries = wholeNumber(opts.retries, '--retries', 0)!;
  return { timeoutMs: timeoutMs(opts), retries, log: messages.debug, explicitTimeout: opts.timeout !== undefined };
}

/**
 * The cache of --db (else the default path). `readOnly`: a command that only reads never
 * creates one: a missing cache is exit 1 naming the path, and nothing is made there.
 */
export function openStore(opts: { db?: string | undefined }, how: { readOnly?: boolean } = {}): Store {
  const path = dbPathOf(opts);
  if (how.readOnly) requireCache(path);
  return Store.open(path);
}

