/**
 * A synthetic Hugging Face Daily Papers archive, for tests and benchmarks: daily lists made
 * from the real captured items (fixtures/hf/), with fresh ids, titles and dates, and a handler
 * that answers `GET /api/daily_papers` like the real API: `date=`, `week=`, `month=`, `limit`
 * (default 50, at most 100), `p` (0-based page), `[]` past the end, HTTP 400 for a bad date,
 * and ETags (a matching If-None-Match gives 304).
 *
 * Plain JavaScript so that bench scripts can use it without a build; the tests import it too.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/hf/', import.meta.url);
const ITEMS_2024 = JSON.parse(readFileSync(new URL('api-daily-papers-2024-08-01.derived.json', FIXTURES), 'utf8'));
const ITEMS_2026 = JSON.parse(readFileSync(new URL('api-daily-papers-2026-03-06.one-item.json', FIXTURES), 'utf8'));

/** Every day from `from` to `to`, inclusive (YYYY-MM-DD). */
export function days(from, to) {
  const out = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** The arXiv-style id of the i-th paper of a day: `YYMM.DDNNN` (unique for i < 1000). */
export function synthId(day, i) {
  return `${day.slice(2, 4)}${day.slice(5, 7)}.${day.slice(8, 10)}${String(i).padStart(3, '0')}`;
}

/**
 * The i-th item of a day's list: a real item with a new id and title, dated `day`. Items
 * alternate between the 2024 shape (the item's own publishedAt is the day) and the 2026
 * shape (paper.submittedOnDailyAt). `upvotes` overrides the count (default: varied).
 */
export function synthItem(day, i, opts = {}) {
  const use2026 = i % 5 === 4;
  const base = structuredClone(use2026 ? ITEMS_2026[0] : ITEMS_2024[i % ITEMS_2024.length]);
  const id = synthId(day, i);
  const title = `${base.title} [${day} #${i + 1}]`;
  base.paper.id = id;
  base.paper.title = title;
  base.title = title;
  base.paper.upvotes = opts.upvotes ?? ((i * 7 + Number(day.slice(8, 10))) % 50);
  if (use2026) {
    base.paper.submittedOnDailyAt = `${day}T03:55:12.777Z`;
    base.publishedAt = base.paper.publishedAt;
  } else {
    delete base.paper.submittedOnDailyAt;
    base.publishedAt = `${day}T01:21:47.935Z`;
  }
  return base;
}

/**
 * A Map day → items. `perWeekday` papers on Monday to Friday, `perWeekendDay` on weekends
 * (HF has no list then: 0 by default), or `perDay(day)` to decide.
 */
export function buildArchive(from, to, opts = {}) {
  const archive = new Map();
  for (const day of days(from, to)) {
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
    const n = opts.perDay ? opts.perDay(day) : dow === 0 || dow === 6 ? (opts.perWeekendDay ?? 0) : (opts.perWeekday ?? 13);
    archive.set(day, Array.from({ length: n }, (_, i) => synthItem(day, i)));
  }
  return archive;
}

function isoWeekDays(week) {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return null;
  const jan4 = new Date(Date.UTC(Number(m[1]), 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (Number(m[2]) - 1) * 7);
  const sunday = new Date(monday);
  sunday.setUTCDate(monday.getUTCDate() + 6);
  return days(monday.toISOString().slice(0, 10), sunday.toISOString().slice(0, 10));
}

function monthDays(month) {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return null;
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).toISOString().slice(0, 10);
  return days(`${month}-01`, last);
}

/**
 * The answer to `/api/daily_papers?<query>`: `{ status, headers, body }` (the shape of the
 * test server's Route). `query` is a URLSearchParams; `headers` the request's headers.
 */
export function answerDailyPapers(archive, query, headers = {}) {
  let wanted;
  if (query.has('date')) wanted = /^\d{4}-\d{2}-\d{2}$/.test(query.get('date')) ? [query.get('date')] : null;
  else if (query.has('week')) wanted = isoWeekDays(query.get('week'));
  else if (query.has('month')) wanted = monthDays(query.get('month'));
  else wanted = [[...archive.keys()].filter((d) => archive.get(d).length > 0).pop()].filter(Boolean);
  if (!wanted) return { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"Invalid date"}' };
  const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50) || 50));
  const page = Math.max(0, Number(query.get('p') ?? 0) || 0);
  const all = wanted.flatMap((d) => archive.get(d) ?? []);
  const body = JSON.stringify(all.slice(page * limit, page * limit + limit));
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
  if (headers['if-none-match'] === etag) return { status: 304, headers: { etag }, body: '' };
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', etag }, body };
}
