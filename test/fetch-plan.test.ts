import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { daysOf, isoWeekOf, isoWeekRange, monthRange, resolveRange } from '../src/range.js';
import { planRequests, estimatePages } from '../src/sources/hf/plan.js';
import { isComplete } from '../src/sources/types.js';

const TODAY = '2026-11-28'; // a Saturday
const ctx = { today: TODAY, earliest: '2023-05-04', what: "Hugging Face's archive", now: new Date('2026-11-28T10:00:00Z') };

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a usage error');
}

describe('ISO weeks and months', () => {
  it.each([
    ['2024-08-01', '2024-W31'],
    ['2024-12-30', '2025-W01'], // Monday of week 1 of the next year
    ['2021-01-03', '2020-W53'], // Sunday still in 2020's last week
    ['2026-11-28', '2026-W48'],
    ['2023-01-01', '2022-W52'],
  ])('%s is in %s', (day, week) => {
    expect(isoWeekOf(day)).toBe(week);
    const r = isoWeekRange(week)!;
    expect(r.from <= day && day <= r.to).toBe(true);
    expect(daysOf(r)).toHaveLength(7);
  });

  it('rejects weeks and months that do not exist', () => {
    expect(isoWeekRange('2024-W53')).toBeNull(); // 2024 has 52 weeks
    expect(isoWeekRange('2020-W53')).toEqual({ from: '2020-12-28', to: '2021-01-03' });
    expect(isoWeekRange('2024-W00')).toBeNull();
    expect(isoWeekRange('2024-31')).toBeNull();
    expect(monthRange('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthRange('2024-13')).toBeNull();
  });
});

describe('resolveRange', () => {
  it.each<[Record<string, string>, { from: string; to: string }]>([
    [{ date: '2024-08-01' }, { from: '2024-08-01', to: '2024-08-01' }],
    [{ from: '2024-08-01', to: '2024-08-07' }, { from: '2024-08-01', to: '2024-08-07' }],
    [{ from: '2026-11-20' }, { from: '2026-11-20', to: TODAY }],
    [{ from: '3d' }, { from: '2026-11-25', to: TODAY }],
    [{ week: '2024-W31' }, { from: '2024-07-29', to: '2024-08-04' }],
    [{ month: '2024-08' }, { from: '2024-08-01', to: '2024-08-31' }],
    // the current week and month are cut at today, the archive's first month at its first day
    [{ week: '2026-W48' }, { from: '2026-11-23', to: TODAY }],
    [{ month: '2026-11' }, { from: '2026-11-01', to: TODAY }],
    [{ month: '2023-05' }, { from: '2023-05-04', to: '2023-05-31' }],
  ])('%j → %j', (opts, range) => {
    expect(resolveRange(opts, ctx)).toEqual(range);
  });

  it.each<[Record<string, string>, RegExp, RegExp]>([
    [{ date: '2026-11-29' }, /^--date 2026-11-29 is in the future$/, /today's, 2026-11-28/],
    [{ from: '2026-11-01', to: '2026-12-01' }, /^--to 2026-12-01 is in the future$/, /2026-11-28/],
    [{ month: '2026-12' }, /^--month 2026-12 is in the future$/, /2026-11-28/],
    [{ date: '2023-05-03' }, /^--date 2023-05-03 is before the archive$/, /begins on 2023-05-04/],
    [{ week: '2023-W17' }, /^--week 2023-W17 is before the archive$/, /2023-05-04/],
    [{ date: '2024-02-30' }, /not a date/, /YYYY-MM-DD/],
    [{ week: '2024-W60' }, /'2024-W60' is not a week/, /2024-W31/],
    [{ month: '2024-8' }, /'2024-8' is not a month/, /YYYY-MM/],
    [{ from: '2024-08-07', to: '2024-08-01' }, /--to 2024-08-01 is before --from 2024-08-07/, /swap/],
    [{ to: '2024-08-01' }, /--to needs --from/, /--from/],
    [{ date: '2024-08-01', week: '2024-W31' }, /--date and --week cannot be combined/, /one of/],
    [{}, /which days/, /--date D/],
  ])('%j is a usage error', (opts, message, hint) => {
    const err = usage(() => resolveRange(opts, ctx));
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(hint);
  });
});

describe('planRequests', () => {
  const base = { today: TODAY, earliest: '2023-05-04' };
  const kinds = (p: ReturnType<typeof planRequests>) => p.units.map((u) => `${u.kind}=${u.value}`);

  it('asks for a whole week once instead of seven days', () => {
    const p = planRequests({ ...base, from: '2024-07-29', to: '2024-08-04', papersPerDay: 10 });
    expect(kinds(p)).toEqual(['week=2024-W31']);
    expect(p.estimatedRequests).toBe(1);
  });

  it('asks for a whole month with paging when that is cheaper than its weeks and days', () => {
    const p = planRequests({ ...base, from: '2024-08-01', to: '2024-08-31', papersPerDay: 30 });
    expect(kinds(p)).toEqual(['month=2024-08']);
    expect(p.estimatedRequests).toBe(estimatePages(31, 30)); // 10 pages, against 4 weeks + 3 days otherwise
  });

  it('mixes months, weeks and days over a longer range, never covering a day outside it', () => {
    const p = planRequests({ ...base, from: '2024-07-27', to: '2024-09-03', papersPerDay: 10 });
    // W31 overlaps the month but still saves two requests; W36 runs past the range
    expect(kinds(p)).toEqual(['date=2024-07-27', 'date=2024-07-28', 'week=2024-W31', 'month=2024-08', 'date=2024-09-01', 'date=2024-09-02', 'date=2024-09-03']);
    // at 30 papers a day a week is 3 pages: no cheaper than the 3 days it would replace
    expect(kinds(planRequests({ ...base, from: '2024-07-27', to: '2024-09-03', papersPerDay: 30 }))).toEqual([
      'date=2024-07-27', 'date=2024-07-28', 'date=2024-07-29', 'date=2024-07-30', 'date=2024-07-31', 'month=2024-08', 'date=2024-09-01', 'date=2024-09-02', 'date=2024-09-03',
    ]);
    for (const u of p.units) for (const d of u.days) expect(d >= '2024-07-27' && d <= '2024-09-03').toBe(true);
    // every day of the range is asked for
    expect(new Set(p.units.flatMap((u) => u.days)).size).toBe(daysOf({ from: '2024-07-27', to: '2024-09-03' }).length);
  });

  it('prefers single days when a week would cost as many pages', () => {
    const p = planRequests({ ...base, from: '2024-07-29', to: '2024-08-04', papersPerDay: 100 });
    expect(p.units.every((u) => u.kind === 'date')).toBe(true);
  });

  it('skips complete days and asks only for the rest', () => {
    const complete = new Set(daysOf({ from: '2024-07-29', to: '2024-08-03' }));
    const p = planRequests({ ...base, from: '2024-07-29', to: '2024-08-04', complete, papersPerDay: 10 });
    expect(kinds(p)).toEqual(['date=2024-08-04']);
    expect(p.skipped).toEqual([...complete]);
    // two days left: the week (one page) costs less than the two days, complete days or not
    const two = planRequests({ ...base, from: '2024-07-29', to: '2024-08-04', complete: new Set(daysOf({ from: '2024-07-29', to: '2024-08-02' })), papersPerDay: 10 });
    expect(kinds(two)).toEqual(['week=2024-W31']);
    expect(two.skipped).toEqual([]);
    // at 30 papers a day the week is 3 pages: the two days are cheaper
    const twoBusy = planRequests({ ...base, from: '2024-07-29', to: '2024-08-04', complete: new Set(daysOf({ from: '2024-07-29', to: '2024-08-02' })), papersPerDay: 30 });
    expect(kinds(twoBusy)).toEqual(['date=2024-08-03', 'date=2024-08-04']);
  });

  it('plans from what is missing: one day of a week cached still takes one week request, not six days', () => {
    const p = planRequests({ ...base, from: '2024-10-21', to: '2024-10-27', complete: new Set(['2024-10-23']), papersPerDay: 13 });
    expect(kinds(p)).toEqual(['week=2024-W43']);
    expect(p.estimatedRequests).toBe(1);
  });

  it('plans from what is missing: a month with a week cached takes the month, not twelve weeks and days', () => {
    const w43 = new Set(daysOf({ from: '2024-10-21', to: '2024-10-27' }));
    const p = planRequests({ ...base, from: '2024-10-01', to: '2024-10-31', complete: w43, papersPerDay: 13 });
    expect(kinds(p)).toEqual(['month=2024-10']);
    expect(p.estimatedRequests).toBe(estimatePages(31, 13)); // 5 pages, against 6 + 2 + 4 requests without the month
    // a month with two complete days and 10 papers a day: 4 pages, against 2 days, 3 weeks and 6 days
    const month = planRequests({ ...base, from: '2024-08-01', to: '2024-08-31', complete: new Set(['2024-08-01', '2024-08-02']), papersPerDay: 10 });
    expect(kinds(month)).toEqual(['month=2024-08']);
    // but when the missing days are few, they are asked for alone
    const late = planRequests({ ...base, from: '2024-08-01', to: '2024-08-31', complete: new Set(daysOf({ from: '2024-08-01', to: '2024-08-29' })), papersPerDay: 10 });
    expect(kinds(late)).toEqual(['date=2024-08-30', 'date=2024-08-31']);
  });

  it('asks for nothing when every day is complete', () => {
    const complete = new Set(daysOf({ from: '2024-08-01', to: '2024-08-31' }));
    const p = planRequests({ ...base, from: '2024-08-01', to: '2024-08-31', complete });
    expect(p.units).toEqual([]);
    expect(p.estimatedRequests).toBe(0);
  });

  it('uses the current week up to today, and the daily strategy asks day by day', () => {
    expect(kinds(planRequests({ ...base, from: '2026-11-21', to: TODAY, papersPerDay: 10 }))).toEqual(['date=2026-11-21', 'date=2026-11-22', 'week=2026-W48']);
    const daily = planRequests({ ...base, from: '2024-08-01', to: '2024-08-31', strategy: 'daily' });
    expect(daily.units).toHaveLength(31);
    expect(daily.estimatedRequests).toBe(31);
  });
});

describe('isComplete', () => {
  it('is true only for a list fetched 12 hours after its day ended (UTC)', () => {
    const known = (fetchedAt: string) => ({ fetchedAt, paperCount: 0, etag: null });
    expect(isComplete(null, '2024-08-01')).toBe(false);
    expect(isComplete(known('2024-08-01T23:00:00.000Z'), '2024-08-01')).toBe(false);
    expect(isComplete(known('2024-08-02T11:59:00.000Z'), '2024-08-01')).toBe(false);
    expect(isComplete(known('2024-08-02T12:00:00.000Z'), '2024-08-01')).toBe(true);
    expect(isComplete(known('2026-11-28T10:00:00.000Z'), '2024-08-01')).toBe(true);
  });
});
