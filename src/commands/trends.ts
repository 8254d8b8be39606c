/** `papers trends <topic-or-query…>`: papers per day, week or month, drawn in the terminal. */
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { addDays, parseDateArg, todayUtc } from '../dates.js';
import { renderBars, type Series } from '../format/chart.js';
import { outputWidth, writeChunks } from '../output.js';
import { compileQuery, parseQuery } from '../query.js';
import { allTopics } from '../topics.js';
import { openStore } from './common.js';

/** The start of the period (day, ISO week's Monday, month) a date falls in. */
function periodOf(date: string, by: string): string {
  if (by === 'month') return date.slice(0, 7);
  if (by === 'day') return date;
  const day = new Date(date + 'T00:00:00Z').getUTCDay();
  return addDays(date, -((day + 6) % 7));
}

function periods(since: string, until: string, by: string): string[] {
  const out: string[] = [];
  for (let d = since; d <= until; d = addDays(d, 1)) {
    const p = periodOf(d, by);
    if (out[out.length - 1] !== p) out.push(p);
  }
  return out;
}

export async function run(opts: Record<string, unknown>, cmd: { args: string[] }): Promise<void> {
  const by = String(opts.by ?? 'week');
  const until = opts.until ? parseDateArg(String(opts.until), '--until') : todayUtc();
  const since = opts.since ? parseDateArg(String(opts.since), '--since') : addDays(until, by === 'day' ? -29 : by === 'month' ? -364 : -83);
  if (since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  const topics = allTopics(loadConfig());
  const store = openStore(opts);
  try {
    const all = periods(since, until, by);
    const series: Series[] = cmd.args.map((arg) => {
      const isTopic = Object.hasOwn(topics, arg);
      const q = compileQuery(parseQuery(isTopic ? topics[arg]!.query : arg, isTopic ? `topic ${arg}` : 'query'));
      const counts = new Map<string, number>();
      for (const p of store.query({ ...q, since, until, sort: 'date' })) {
        const key = periodOf(p.dailyDate ?? p.publishedAt!, by);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return { label: isTopic ? arg : `"${arg}"`, points: all.map((period) => ({ period, count: counts.get(period) ?? 0 })) };
    });
    if (opts.json) {
      await writeChunks([JSON.stringify({ by, since, until, series }, null, 2) + '\n']);
      return;
    }
    await writeChunks([renderBars(series, outputWidth())]);
  } finally {
    store.close();
  }
}
