/**
 * Which days a fetch covers: `--date`, `--from/--to`, `--week YYYY-Www`, `--month YYYY-MM`
 * resolved against today (UTC) and the first day a source has, and the calendar helpers
 * (ISO weeks, months) the request planner uses. Pure: `today` is passed in.
 */
import { UsageError } from './errors.js';
import { addDays, isIsoDate, parseDateArg } from './dates.js';

export interface RangeOptions {
  date?: string;
  from?: string;
  to?: string;
  week?: string;
  month?: string;
}

export interface DayRange {
  /** First day, YYYY-MM-DD (inclusive). */
  from: string;
  /** Last day, YYYY-MM-DD (inclusive). */
  to: string;
}

/** Every day from `from` to `to`, inclusive. */
export function daysOf(r: DayRange): string[] {
  const out: string[] = [];
  for (let d = r.from; d <= r.to; d = addDays(d, 1)) out.push(d);
  return out;
}

function dayOfWeek(iso: string): number {
  return new Date(iso + 'T00:00:00Z').getUTCDay();
}

/** The Monday of the week a day is in (ISO weeks start on Monday). */
export function mondayOf(iso: string): string {
  return addDays(iso, -((dayOfWeek(iso) + 6) % 7));
}

/** The ISO week a day is in, `YYYY-Www` (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekOf(iso: string): string {
  const monday = mondayOf(iso);
  const thursday = addDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const jan4 = `${year}-01-04`;
  const week1Monday = mondayOf(jan4);
  const week = Math.round((Date.parse(monday) - Date.parse(week1Monday)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday-to-Sunday days of an ISO week, or null when `week` is not a real one. */
export function isoWeekRange(week: string): DayRange | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(week.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const n = Number(m[2]);
  const jan4 = `${m[1]}-01-04`;
  const from = addDays(addDays(jan4, -((dayOfWeek(jan4) + 6) % 7)), (n - 1) * 7);
  if (n < 1 || isoWeekOf(from) !== `${year}-W${m[2]}`) return null;
  return { from, to: addDays(from, 6) };
}

/** The first and last day of a month `YYYY-MM`, or null. */
export function monthRange(month: string): DayRange | null {
  const m = /^(\d{4})-(\d{2})$/.exec(month.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return null;
  const from = `${m[1]}-${m[2]}-01`;
  const next = Number(m[2]) === 12 ? `${Number(m[1]) + 1}-01-01` : `${m[1]}-${String(Number(m[2]) + 1).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}

/**
 * The days the options ask for. A single day or an explicit `--from`/`--to` outside
 * [earliest, today] is a usage error; a week or month that runs past today or starts before the
 * archive is cut to the part that exists (and is an error only when no part of it does).
 */
export function resolveRange(o: RangeOptions, ctx: { today: string; earliest: string; what: string; now?: Date }): DayRange {
  const given = (['date', 'from', 'week', 'month'] as const).filter((k) => o[k] !== undefined);
  if (given.length === 0) {
    if (o.to !== undefined) throw new UsageError('--to needs --from', { hint: 'e.g. papers fetch --from 2024-08-01 --to 2024-08-07' });
    throw new UsageError('which days? none given', { hint: 'use --date D, --from D [--to D], --week YYYY-Www or --month YYYY-MM' });
  }
  if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} cannot be combined`, { hint: 'give one of --date, --from [--to], --week, --month' });
  if (o.to !== undefined && o.from === undefined) throw new UsageError(`--to cannot be combined with --${given[0]}`, { hint: 'use --from D --to D for a range' });

  const { today, earliest, what } = ctx;
  const archive = `${what} begins on ${earliest}`;
  const future = (label: string, day: string) =>
    new UsageError(`${label} ${day} is in the future`, { hint: `the latest list is today's, ${today} (UTC)` });
  const tooEarly = (label: string, day: string) => new UsageError(`${label} ${day} is before the archive`, { hint: archive });

  if (o.date !== undefined || o.from !== undefined) {
    const label = o.date !== undefined ? '--date' : '--from';
    const from = parseDateArg(String(o.date ?? o.from), label, ctx.now);
    const to = o.date !== undefined ? from : o.to !== undefined ? parseDateArg(String(o.to), '--to', ctx.now) : today;
    if (from > today) throw future(label, from);
    if (to > today) throw future('--to', to);
    if (from < earliest) throw tooEarly(label, from);
    if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`, { hint: 'swap them' });
    return { from, to };
  }

  const label = o.week !== undefined ? '--week' : '--month';
  const value = String(o.week ?? o.month).trim();
  const period = o.week !== undefined ? isoWeekRange(value) : monthRange(value);
  if (!period || !isIsoDate(period.from)) {
    throw new UsageError(`${label}: '${value}' is not a ${o.week !== undefined ? 'week' : 'month'}`, {
      hint: o.week !== undefined ? 'use an ISO week such as 2024-W31' : 'use YYYY-MM, e.g. 2024-08',
    });
  }
  if (period.from > today) throw new UsageError(`${label} ${value} is in the future`, { hint: `the latest list is today's, ${today} (UTC)` });
  if (period.to < earliest) throw new UsageError(`${label} ${value} is before the archive`, { hint: archive });
  return { from: period.from < earliest ? earliest : period.from, to: period.to > today ? today : period.to };
}
