/** `papers stats` for people: what is in the cache, at a glance, fitted to a width. */
import { barRows, fit, formatCount } from './chart.js';
import { terminalSafe } from '../text.js';
import { ago, formatBytes } from './words.js';

export interface CacheStats {
  papers: number;
  bySource: { source: string; papers: number }[];
  /** Every month with papers, newest first (a paper's month: its daily list's, else its arXiv date's). */
  byMonth: { month: string; papers: number }[];
  /** Papers with neither date. */
  undated: number;
  /** Papers per topic: in all, and in the 30 days up to the newest paper (`recentDays`). */
  topics: { name: string; papers: number; recent: number }[];
  recentDays: { since: string; until: string } | null;
  lastSync: {
    source: string;
    startedAt: string;
    endedAt: string | null;
    outcome: string;
    papersNew: number;
    papersUpdated: number;
    error: string | null;
    /** The last sync that went well, when the last one did not. */
    lastOk: string | null;
  }[];
  file: { path: string; bytes: number; dbBytes: number; walBytes: number };
}

const MONTHS_SHOWN = 12;
const TOPICS_SHOWN = 10;
/** Bars for a glance, not a chart: a wide terminal does not stretch them. */
const BAR_MAX = 40;

export function renderStats(s: CacheStats, width: number, now: Date = new Date()): string {
  const out: string[] = [];
  const size = s.file.walBytes > 0 ? `${formatBytes(s.file.bytes)} (${formatBytes(s.file.walBytes)} of it in the write-ahead log)` : formatBytes(s.file.bytes);
  out.push(`${formatCount(s.papers)} paper${s.papers === 1 ? '' : 's'} · ${size}`);
  out.push(terminalSafe(s.file.path));
  if (s.papers === 0) {
    out.push('', 'the cache is empty (run papers today, papers fetch or papers import)');
    return out.join('\n') + '\n';
  }

  out.push('', 'by source (a paper seen on two counts in both)');
  out.push(...barRows(s.bySource.map((r) => ({ label: r.source, count: r.papers })), width, '  ', BAR_MAX));

  const months = s.byMonth.slice(0, MONTHS_SHOWN);
  const older = s.byMonth.slice(MONTHS_SHOWN).reduce((a, m) => a + m.papers, 0);
  out.push('', `by month${s.byMonth.length > MONTHS_SHOWN ? ` (the latest ${MONTHS_SHOWN})` : ''}`);
  out.push(...barRows([
    ...months.map((m) => ({ label: m.month, count: m.papers })),
    ...(older ? [{ label: 'earlier', count: older, bar: false }] : []),
    ...(s.undated ? [{ label: 'undated', count: s.undated, bar: false }] : []),
  ], width, '  ', BAR_MAX));

  const active = s.topics.filter((t) => t.papers > 0).slice(0, TOPICS_SHOWN);
  if (active.length) {
    const nameW = Math.max(...active.map((t) => [...t.name].length));
    const recentW = Math.max(formatCount(Math.max(...active.map((t) => t.recent))).length, 8);
    const allW = Math.max(formatCount(Math.max(...active.map((t) => t.papers))).length, 3);
    const window = s.recentDays ? `30 days to ${s.recentDays.until}` : '30 days';
    out.push('', `most active topics (papers in the ${window}, and in all)`);
    for (const t of active) out.push(`  ${terminalSafe(t.name).padEnd(nameW)}  ${formatCount(t.recent).padStart(recentW)}  ${formatCount(t.papers).padStart(allW)}`);
  }

  out.push('', 'last sync');
  if (s.lastSync.length === 0) out.push('  never (papers sync fetches what is new; cron it)');
  const sourceW = Math.max(0, ...s.lastSync.map((l) => l.source.length));
  for (const l of s.lastSync) {
    const when = `${l.startedAt.slice(0, 10)} ${l.startedAt.slice(11, 16)} UTC (${ago(l.startedAt, now)})`;
    const what = l.outcome === 'ok'
      ? `ok, ${formatCount(l.papersNew)} new, ${formatCount(l.papersUpdated)} updated`
      : `${l.outcome}${l.lastOk ? `; last ok ${ago(l.lastOk, now)}` : '; never ok yet'}`;
    out.push(fit(`  ${l.source.padEnd(sourceW)}  ${when}  ${what}`, width));
    if (l.outcome !== 'ok' && l.error) out.push(fit(`  ${''.padEnd(sourceW)}  ${terminalSafe(l.error)}`, width));
  }
  return out.join('\n') + '\n';
}
