/** `papers trends <topic-or-query…>`: papers per day, week or month, drawn in the terminal. */
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { addDays, parseDateArg, todayUtc } from '../dates.js';
import { mondayOf } from '../range.js';
import { renderBars, type Point } from '../format/chart.js';
import { messages, outputWidth, writeChunks } from '../output.js';
import { queryToFts } from '../query.js';
import { allTopics } from '../topics.js';
import { openStore } from './common.js';
import type { TREND_PERIODS } from '../cli/options.js';
import type { TrendsOptions } from '../cli/stats.js';

type By = (typeof TREND_PERIODS)[number];

/** More bars than this is not a chart any more. */
const MAX_PERIODS = 1000;

/** The first day of the period (the day, its ISO week's Monday, its month) a date falls in. */
export function periodStart(date: string, by: By): string {
  if (by === 'month') return date.slice(0, 8) + '01';
  if (by === 'day') return date;
  return mondayOf(date);
}

/** The last day of the period that starts on `start`. */
function periodEnd(start: string, by: By): string {
  if (by === 'day') return start;
  if (by === 'week') return addDays(start, 6);
  const d = new Date(start + 'T00:00:00Z');
  d.setUTCMonth(d.getUTCMonth() + 1);
  return addDays(d.toISOString().slice(0, 10), -1);
}

/** How periods are labelled: a day or a week by its first day, a month as YYYY-MM. */
const labelOf = (start: string, by: By) => (by === 'month' ? start.slice(0, 7) : start);

/** The default range: the last 30 days, 12 weeks or 12 months up to `until`, in whole periods. */
function defaultSince(until: string, by: By): string {
  if (by === 'day') return addDays(until, -29);
  if (by === 'week') return addDays(periodStart(until, 'week'), -7 * 11);
  const d = new Date(periodStart(until, 'month') + 'T00:00:00Z');
  d.setUTCMonth(d.getUTCMonth() - 11);
  return d.toISOString().slice(0, 10);
}

/** The periods from `since` to `until`, each with its first and last day. */
function periods(since: string, until: string, by: By): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (let start = periodStart(since, by); start <= until; start = addDays(periodEnd(start, by), 1)) {
    out.push({ start, end: periodEnd(start, by) });
    if (out.length > MAX_PERIODS) throw new UsageError(`${since}..${until} is more than ${MAX_PERIODS} ${by}s`, { hint: by === 'month' ? 'use a shorter range' : `use --by ${by === 'day' ? 'week' : 'month'} or a shorter range` });
  }
  return out;
}

export async function run(opts: TrendsOptions, args: string[]): Promise<void> {
  const by = opts.by;
  const today = todayUtc();
  const until = opts.until !== undefined ? parseDateArg(opts.until, '--until') : today;
  const since = opts.since !== undefined ? parseDateArg(opts.since, '--since') : defaultSince(until, by);
  if (since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  const topics = allTopics(loadConfig());
  const wanted = args.map((arg) => {
    const isTopic = Object.hasOwn(topics, arg);
    const query = isTopic ? topics[arg]!.query : arg;
    // Parsed before the cache is opened: a bad query is a usage error whatever the cache.
    return { arg, isTopic, query, compiled: queryToFts(query, isTopic ? `topic ${arg}` : 'query') };
  });
  const range = periods(since, until, by);
  const store = openStore(opts, { readOnly: true });
  try {
    const series = wanted.map(({ arg, isTopic, query, compiled }) => {
      const counts = new Map<string, number>();
      for (const { day, papers } of store.countByDay({ ...compiled, since, until })) {
        const start = periodStart(day, by);
        counts.set(start, (counts.get(start) ?? 0) + papers);
      }
      const points: Point[] = range.map(({ start, end }) => ({ period: labelOf(start, by), count: counts.get(start) ?? 0, partial: start < since || end > until }));
      return { label: isTopic ? arg : `"${arg}"`, kind: isTopic ? 'topic' : 'query', query, total: points.reduce((a, p) => a + p.count, 0), points };
    });
    if (opts.json) {
      await writeChunks([JSON.stringify({ by, since, until, series }, null, 2) + '\n']);
      return;
    }
    if (store.count() === 0) messages.info('the cache is empty (run papers today, papers fetch or papers import first)');
    const notes: string[] = [];
    const first = range[0]!;
    const last = range[range.length - 1]!;
    const name = (start: string) => (by === 'week' ? `the week of ${start}` : labelOf(start, by));
    if (first.start < since) notes.push(`${name(first.start)} is counted from ${since} only`);
    if (last.end > until) notes.push(`${name(last.start)} is counted to ${until}${until === today ? ' (today)' : ''} only`);
    const heading = `papers per ${by === 'week' ? 'week (Monday to Sunday)' : by}, ${since} to ${until}`;
    await writeChunks([heading + '\n\n' + renderBars(series, outputWidth(), { per: by, partialNotes: notes })]);
  } finally {
    store.close();
  }
}
