/** papers stats and papers trends: counts on a cache with known dates, charts that fit the terminal. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { Store } from '../src/store/index.js';
import { emptyPaper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { addDays, todayUtc } from '../src/dates.js';
import { bar, barRows, formatCount, renderBars, sparkline, type Series } from '../src/format/chart.js';
import { renderStats, type CacheStats } from '../src/format/stats.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };
const today = todayUtc();

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers);
  // three agent papers in the week of Monday 2024-08-05, one in the week of 2024-08-12
  store.upsertPapers(['2024-08-05', '2024-08-07', '2024-08-11', '2024-08-12'].map((d, i) => ({ ...emptyPaper(`Agentic tool use ${i} \x1b[31m`, 'import'), id: `2408.0000${i}`, dailyDate: d })));
  // arXiv papers dated by their publication only, one with no date at all
  store.upsertPapers([
    { ...emptyPaper('Agentic planning from arXiv', 'arxiv'), id: '2409.00001', publishedAt: '2024-09-02' },
    { ...emptyPaper('An agentic paper with no date', 'arxiv'), id: '2409.00002' },
    { ...emptyPaper('Agentic work of today', 'arxiv'), id: '2409.00003', publishedAt: today },
  ]);
  const ok = store.syncs.start('hf', { from: '2024-08-01', to: '2024-08-01' }, '2024-08-02T06:00:00.000Z');
  store.syncs.finish(ok, { outcome: 'ok', requests: 2, papersNew: 13, papersUpdated: 0 });
  const failed = store.syncs.start('arxiv', { from: '2024-09-01', to: '2024-09-02' }, '2024-09-03T06:00:00.000Z');
  store.syncs.finish(failed, { outcome: 'failed', requests: 3, papersNew: 0, papersUpdated: 0, error: 'export.arxiv.org answered 503 three times' });
  store.close();
});
afterAll(() => tmp.cleanup());

const trendsJson = async (...args: string[]) => {
  const r = await runCli(['trends', ...args, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { by: string; since: string; until: string; series: { label: string; kind: string; query: string; total: number; points: { period: string; count: number; partial: boolean }[] }[] };
};

describe('papers trends --json', () => {
  it('counts papers per ISO week (Monday first), empty weeks as zeros', async () => {
    const t = await trendsJson('title:agentic', '--since', '2024-07-29', '--until', '2024-08-18');
    expect(t).toMatchObject({ by: 'week', since: '2024-07-29', until: '2024-08-18' });
    expect(t.series[0]).toMatchObject({ label: '"title:agentic"', kind: 'query', query: 'title:agentic', total: 5 });
    expect(t.series[0]!.points).toEqual([
      { period: '2024-07-29', count: 1, partial: false }, // 2407.21646 "…via LLM Agent" (stemmed alike)
      { period: '2024-08-05', count: 3, partial: false },
      { period: '2024-08-12', count: 1, partial: false },
    ]);
  });

  it('counts per month and per day, one series per topic or query, dated by the daily list else by arXiv', async () => {
    const months = await trendsJson('speech', 'title:agentic', '--by', 'month', '--since', '2024-07-01', '--until', '2024-09-30');
    const speech = JSON.parse((await runCli(['list', '--json', '--topic', 'speech'], { env })).stdout).length;
    expect(months.series.map((s) => [s.label, s.kind])).toEqual([['speech', 'topic'], ['"title:agentic"', 'query']]);
    expect(months.series.map((s) => s.points.map((p) => p.count))).toEqual([[0, speech, 0], [0, 5, 1]]);
    const days = await trendsJson('title:agentic', '--by', 'day', '--since', '2024-08-04', '--until', '2024-08-08');
    expect(days.series[0]!.points.map((p) => [p.period, p.count])).toEqual([['2024-08-04', 0], ['2024-08-05', 1], ['2024-08-06', 0], ['2024-08-07', 1], ['2024-08-08', 0]]);
  });

  it('marks the periods the range covers only in part', async () => {
    const t = await trendsJson('title:agentic', '--since', '2024-08-07', '--until', '2024-08-13');
    expect(t.series[0]!.points).toEqual([
      { period: '2024-08-05', count: 2, partial: true }, // from Wednesday 7th only
      { period: '2024-08-12', count: 1, partial: true },
    ]);
  });

  it('by default: the last 12 weeks, whole weeks up to this one', async () => {
    const t = await trendsJson('title:agentic');
    expect(t.until).toBe(today);
    const points = t.series[0]!.points;
    expect(points).toHaveLength(12);
    expect(new Date(t.since + 'T00:00:00Z').getUTCDay()).toBe(1);
    expect(points[11]!.period <= today && today <= addDays(points[11]!.period, 6)).toBe(true);
    expect(points[11]!.count).toBe(1); // the paper of today
    expect(points[11]!.partial).toBe(new Date(today + 'T00:00:00Z').getUTCDay() !== 0);
  });

  it('bad input is a usage error', async () => {
    for (const args of [['"unbalanced'], ['x', '--since', '2024-09-01', '--until', '2024-08-01'], ['x', '--by', 'year'], ['x', '--by', 'day', '--since', '2015-01-01', '--until', '2024-01-01'], ['x', '--since', 'soon']]) {
      const r = await runCli(['trends', ...args], { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
    }
  });
});

describe('papers trends chart', () => {
  for (const width of [80, 120]) {
    it(`fits ${width} columns, shows the numbers, uses no escape codes`, async () => {
      const r = await runCli(['trends', 'speech', 'title:agentic', '--since', '2024-07-01', '--until', '2024-08-31'], { env: { ...env, COLUMNS: String(width) } });
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('papers per week (Monday to Sunday), 2024-07-01 to 2024-08-31');
      expect(lines.every((l) => [...l].length <= width)).toBe(true);
      expect(lines.some((l) => [...l].length >= width - 2)).toBe(true); // the longest bar uses the width
      expect(r.stdout).toMatch(/^2024-08-05 +3 █+/m);
      expect(r.stdout).toMatch(/^"title:agentic" · 5 papers {2}[·▁▂▃▄▅▆▇█]{9}$/m);
      expect(r.stdout).toMatch(/^2024-08-26\* +0$/m); // the week runs into September
      expect(r.stdout).toContain('* the week of 2024-08-26 is counted to 2024-08-31 only');
      expect(r.stdout).not.toMatch(/\x1b/);
    });
  }
});

describe('chart rendering', () => {
  const series = (label: string, counts: number[], partialLast = false): Series => ({ label, points: counts.map((count, i) => ({ period: `2024-08-${String(i + 1).padStart(2, '0')}`, count, partial: partialLast && i === counts.length - 1 })) });

  it('bars are proportional, in eighths of a cell', () => {
    expect(bar(10, 10, 20)).toBe('█'.repeat(20));
    expect(bar(5, 10, 20)).toBe('█'.repeat(10));
    expect(bar(1, 16, 2)).toBe('▏');
    expect(bar(0, 10, 20)).toBe('');
    expect(renderBars([{ label: 'x', points: [{ period: 'p', count: 1, partial: false }] }], 30).split('\n')[1]).toBe('p 1 ' + '█'.repeat(25));
  });

  it('counts are grouped by thousands as en-US writes them', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat(), fc.double({ noNaN: true })), (n) => {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }));
  });

  it('sparklines scale to the largest value and show zeros as dots', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('·▁▂▄█');
    expect(sparkline([0, 0])).toBe('··');
  });

  it('every line fits, at any width, with long labels and large counts', () => {
    const many = [series('a topic with a very long name that will not fit in a narrow terminal at all', [1234567, 0, 3, 999999], true), series('"q"', [5, 6, 7, 8])];
    for (const width of [20, 40, 80, 120, 200]) {
      const lines = renderBars(many, width, { per: 'week', partialNotes: ['the week of 2024-08-04 is counted to 2024-08-05 (today) only'] }).split('\n');
      for (const l of lines) expect([...l].length, `${width}: ${l}`).toBeLessThanOrEqual(width);
      if (width < 40) continue; // too narrow for the numbers, but nothing runs over
      expect(lines.some((l) => l.startsWith('2024-08-01  1,234,567 █'))).toBe(true);
      expect(lines.some((l) => l === '2024-08-04*   999,999 ' + bar(999999, 1234567, width - 23))).toBe(true);
    }
    for (const l of barRows([{ label: 'arxiv', count: 160000 }, { label: 'hf', count: 40000 }, { label: 'earlier', count: 5, bar: false }], 80, '  ', 40)) expect([...l].length).toBeLessThanOrEqual(80);
  });
});

describe('papers stats', () => {
  it('--json: papers by source and month, topics, syncs and their outcome, the file size', async () => {
    const r = await runCli(['stats', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as CacheStats;
    expect(s.papers).toBe(20);
    expect(s.bySource).toEqual([{ source: 'hf', papers: 13 }, { source: 'import', papers: 4 }, { source: 'arxiv', papers: 3 }]);
    expect(s.byMonth).toEqual([{ month: today.slice(0, 7), papers: 1 }, { month: '2024-09', papers: 1 }, { month: '2024-08', papers: 17 }]);
    expect(s.undated).toBe(1);
    expect(s.recentDays).toEqual({ since: addDays(today, -29), until: today });
    const agents = s.topics.find((t) => t.name === 'agents')!;
    expect(agents.papers).toBeGreaterThanOrEqual(7);
    expect(agents.recent).toBe(1);
    expect(s.topics[0]!.name).toBe('agents'); // the most active lately comes first
    expect(s.lastSync).toEqual([
      { source: 'hf', startedAt: '2024-08-02T06:00:00.000Z', endedAt: expect.any(String), outcome: 'ok', papersNew: 13, papersUpdated: 0, error: null, lastOk: '2024-08-02T06:00:00.000Z' },
      { source: 'arxiv', startedAt: '2024-09-03T06:00:00.000Z', endedAt: expect.any(String), outcome: 'failed', papersNew: 0, papersUpdated: 0, error: 'export.arxiv.org answered 503 three times', lastOk: null },
    ]);
    expect(s.file.path).toBe(tmp.db);
    expect(s.file.bytes).toBe(s.file.dbBytes + s.file.walBytes);
    expect(s.file.dbBytes).toBeGreaterThan(0);
  });

  for (const width of [80, 120]) {
    it(`reads at a glance in ${width} columns`, async () => {
      const r = await runCli(['stats'], { env: { ...env, COLUMNS: String(width) } });
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(/^20 papers · \d+(\.\d)? KB/);
      expect(lines[1]).toBe(tmp.db);
      for (const heading of ['by source (a paper seen on two counts in both)', 'by month', 'most active topics (papers in the 30 days to ' + today + ', and in all)', 'last sync']) expect(lines).toContain(heading);
      expect(r.stdout).toMatch(/^ {2}2024-08 +17 █+$/m);
      expect(r.stdout).toMatch(/^ {2}undated +1$/m);
      expect(r.stdout).toMatch(/^ {2}hf {5}2024-08-02 06:00 UTC \(\d+ days ago\) {2}ok, 13 new, 0 updated$/m);
      expect(r.stdout).toMatch(/^ {2}arxiv {2}2024-09-03 06:00 UTC \(\d+ days ago\) {2}failed; never ok yet\n {9}export\.arxiv\.org answered 503 three times$/m);
      expect(lines.every((l) => [...l].length <= width)).toBe(true);
      expect(r.stdout).not.toMatch(/\x1b/);
    });
  }

  it('an empty cache says so', () => {
    const text = renderStats({ papers: 0, bySource: [], byMonth: [], undated: 0, topics: [], recentDays: null, lastSync: [], file: { path: '/x/papers.db', bytes: 4096, dbBytes: 4096, walBytes: 0 } }, 80);
    expect(text).toBe('0 papers · 4.0 KB\n/x/papers.db\n\nthe cache is empty (run papers today, papers fetch or papers import)\n');
  });
});
