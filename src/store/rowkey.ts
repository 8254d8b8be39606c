/**
 * A paper's rowid follows its day (PAPER_DAY: its daily list's day, else its arXiv date), so that
 * reading the table or the full-text index by rowid, newest first, reads papers newest day first
 * and can stop at a limit. A dated paper's rowid is its day's number (days since 1900-01-01)
 * times DAY_SPAN plus its place among that day's papers; a paper without a day has a negative
 * rowid, below every dated one, as the date order puts undated papers last.
 *
 * The rowid is given when the paper is stored and changed when its day changes (a paper from an
 * arXiv listing later on a Hugging Face daily list): the store moves the row, its index entry and
 * every row that refers to it (ingest.ts). So the papers of a day are one contiguous range of
 * rowids, and the ranges are in the order of their days.
 *
 * Small numbers on purpose: rowids stay below 2^31 (4 bytes in every index entry and row that
 * refers to a paper), and the full-text index stores each term's rowids as differences, which a
 * narrower day span keeps short.
 */

/** Room for this many papers a day (arXiv's busiest days announce a few thousand). */
export const DAY_SPAN = 2 ** 15;

/** Days are counted from here; earlier days share day 0 and later ones the last day number. */
const EPOCH_MS = Date.UTC(1900, 0, 1);
const LAST_DAY = 2 ** 31 / DAY_SPAN - 1;

/**
 * The day number whose rowid range holds papers of `day` (YYYY-MM-DD...), null for a paper
 * without a day. Days before 1900 or after 2079 share the first or last number: the ranges stay
 * in day order (a shared range is sorted by day when it is read), only fuller.
 */
export function dayBase(day: string | null): number | null {
  if (day === null) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  // The parsers store days as YYYY-MM-DD; anything else sorts with the earliest.
  if (!m) return 0;
  const n = Math.floor((Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - EPOCH_MS) / 86_400_000);
  return Math.min(Math.max(n, 0), LAST_DAY);
}

/** The day number a rowid was given for (null: undated). */
export function dayBaseOfRowid(rowid: number): number | null {
  return rowid < 0 ? null : Math.floor(rowid / DAY_SPAN);
}

/** The first rowid of papers dated `day` or later (a day written YYYY-MM-DD), else null. */
export function firstRowidOf(day: string): number | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? dayBase(day)! * DAY_SPAN : null;
}

/**
 * The first rowid of papers dated `day` or later when the rowids from there on are exactly
 * those papers (its day number is not shared with other days), else null.
 */
export function exactFirstRowidOf(day: string): number | null {
  const lo = firstRowidOf(day);
  return lo !== null && lo > 0 && lo < LAST_DAY * DAY_SPAN ? lo : null;
}
