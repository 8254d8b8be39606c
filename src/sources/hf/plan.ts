/**
 * Which requests fetch a range of Hugging Face daily lists with the fewest calls. The API
 * answers one day (`date=`), one ISO week (`week=`) or one month (`month=`), 100 papers a page
 * at most. A month of about 30 papers a day is ~9 pages instead of 30 day requests; a week is
 * 1–3 pages instead of 7. Pure: what is already complete and the expected papers per day are
 * passed in.
 *
 * Rules:
 * - A week or month is asked for only when every day it covers (cut to the archive and to
 *   today) lies inside the range asked for: a fetch never stores lists outside its range.
 * - The plan is made from what is missing: a period is used when its expected pages are fewer
 *   than the requests its missing days would otherwise take (a tie goes to the smaller
 *   requests: smaller answers, and per-day ETags). A period may cover days already complete in
 *   the cache: one `week=` request beats six `date=` requests around one cached day, and the
 *   complete days it brings again are stored fresh.
 * - Days complete in the cache that no chosen period covers are not asked for (unless
 *   refreshing, when none are complete).
 */
import { daysOf, isoWeekOf, isoWeekRange, monthRange, type DayRange } from '../../range.js';

export const PAGE_SIZE = 100;
/** Papers per calendar day when the cache has no history to go by (weekdays ~40, weekends 0). */
export const DEFAULT_PAPERS_PER_DAY = 30;

export type PlanUnit =
  | { kind: 'date'; value: string; days: string[] }
  | { kind: 'week'; value: string; days: string[] }
  | { kind: 'month'; value: string; days: string[] };

export interface PlanInput extends DayRange {
  today: string;
  /** The first day of the archive. */
  earliest: string;
  /** Days whose list is complete in the cache (skipped). */
  complete?: ReadonlySet<string>;
  /** Expected papers per calendar day, for the page estimate. */
  papersPerDay?: number;
  pageSize?: number;
  /** 'daily' asks for every day on its own (the baseline the benchmark compares with). */
  strategy?: 'fewest' | 'daily';
}

export interface Plan {
  /** The requests to make, in date order. */
  units: PlanUnit[];
  /** Days inside the range that are complete and not asked for. */
  skipped: string[];
  /** Expected number of requests (pages). */
  estimatedRequests: number;
}

/** Expected pages for a unit covering `days` days. */
export function estimatePages(days: number, papersPerDay: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil((days * papersPerDay) / pageSize));
}

export function planRequests(input: PlanInput): Plan {
  const pageSize = input.pageSize ?? PAGE_SIZE;
  const perDay = input.papersPerDay !== undefined && input.papersPerDay >= 0 ? input.papersPerDay : DEFAULT_PAPERS_PER_DAY;
  const complete = input.complete ?? new Set<string>();
  const all = daysOf(input);
  const needed = new Set(all.filter((d) => !complete.has(d)));
  const units: PlanUnit[] = [];
  const cost = (days: string[]) => estimatePages(days.length, perDay, pageSize);

  // The days a period's answer covers: cut to what exists; usable only inside the range.
  const covered = (r: DayRange | null): string[] | null => {
    if (!r) return null;
    const from = r.from < input.earliest ? input.earliest : r.from;
    const to = r.to > input.today ? input.today : r.to;
    if (from > to || from < input.from || to > input.to) return null;
    return daysOf({ from, to });
  };
  const weeks = new Map<string, string[] | null>();
  const weekDays = (day: string): [string, string[] | null] => {
    const w = isoWeekOf(day);
    if (!weeks.has(w)) weeks.set(w, covered(isoWeekRange(w)));
    return [w, weeks.get(w)!];
  };

  // The cost of the needed days in `days` without months: weeks where cheaper, else single days.
  const costWithoutMonths = (days: string[]): number => {
    const byWeek = new Map<string, number>();
    let single = 0;
    for (const d of days) {
      const [w, wd] = weekDays(d);
      if (wd) byWeek.set(w, (byWeek.get(w) ?? 0) + 1);
      else single++;
    }
    let total = single;
    for (const [w, n] of byWeek) total += cost(weeks.get(w)!) < n ? cost(weeks.get(w)!) : n;
    return total;
  };

  if (input.strategy !== 'daily') {
    const months = [...new Set(all.map((d) => d.slice(0, 7)))];
    for (const m of months) {
      const md = covered(monthRange(m));
      if (!md) continue;
      const want = md.filter((d) => needed.has(d));
      if (want.length === 0) continue;
      if (cost(md) < costWithoutMonths(want)) {
        units.push({ kind: 'month', value: m, days: md });
        for (const d of md) needed.delete(d);
      }
    }
    for (const d of all) {
      if (!needed.has(d)) continue;
      const [w, wd] = weekDays(d);
      if (!wd) continue;
      const want = wd.filter((x) => needed.has(x));
      if (cost(wd) < want.length) {
        units.push({ kind: 'week', value: w, days: wd });
        for (const x of wd) needed.delete(x);
      }
    }
  }
  for (const d of all) if (needed.has(d)) units.push({ kind: 'date', value: d, days: [d] });
  units.sort((a, b) => (a.days[0]! < b.days[0]! ? -1 : a.days[0]! > b.days[0]! ? 1 : 0));
  const asked = new Set(units.flatMap((u) => u.days));
  const skipped = all.filter((d) => !asked.has(d));
  return { units, skipped, estimatedRequests: units.reduce((n, u) => n + (u.kind === 'date' ? 1 : cost(u.days)), 0) };
}
