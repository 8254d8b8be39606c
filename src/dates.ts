/** Dates as users type them: `YYYY-MM-DD`, or relative to today (`7d`, `2w`, `3m`, `1y`). */
import { UsageError } from './errors.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in YYYY-MM-DD form. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export function toIsoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Today's date in UTC. */
export function todayUtc(now: Date = new Date()): string {
  return toIsoDate(now);
}

export function addDays(iso: string, days: number): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + days);
  return toIsoDate(d);
}

/** Parse an absolute or relative date given to `option`; a bad one is a usage error. */
export function parseDateArg(value: string, option: string, now: Date = new Date()): string {
  const v = value.trim();
  if (isIsoDate(v)) return v;
  const rel = /^(\d+)\s*([dwmy])$/i.exec(v);
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2]!.toLowerCase();
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    if (unit === 'd') d.setUTCDate(d.getUTCDate() - n);
    else if (unit === 'w') d.setUTCDate(d.getUTCDate() - 7 * n);
    else if (unit === 'm') d.setUTCMonth(d.getUTCMonth() - n);
    else d.setUTCFullYear(d.getUTCFullYear() - n);
    if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1000) throw new UsageError(`${option}: '${value}' reaches too far back`, { hint: 'use a date after the year 1000' });
    return toIsoDate(d);
  }
  throw new UsageError(`${option}: '${value}' is not a date`, { hint: 'use YYYY-MM-DD or a relative date such as 7d, 2w, 3m' });
}
