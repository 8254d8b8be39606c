import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Store } from '../src/store.js';
import { emptyPaper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { renderBars, bar } from '../src/format/chart.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers);
  // three agent papers in the week of Monday 2024-08-05, one in the week of 2024-08-12
  store.upsertPapers(['2024-08-05', '2024-08-07', '2024-08-11', '2024-08-12'].map((d, i) => ({ ...emptyPaper(`Agentic tool use ${i} \x1b[31m`, 'import'), id: `2408.0000${i}`, dailyDate: d })));
  store.close();
});
afterAll(() => tmp.cleanup());

describe('papers trends', () => {
  it('--json gives the series per week, with empty weeks as zeros', async () => {
    const r = await runCli(['trends', 'title:agentic', '--since', '2024-07-29', '--until', '2024-08-18', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const { series } = JSON.parse(r.stdout);
    expect(series[0].points).toEqual([
      { period: '2024-07-29', count: 1 }, // 2407.21646 "…via LLM Agent" (stemmed alike)
      { period: '2024-08-05', count: 3 },
      { period: '2024-08-12', count: 1 },
    ]);
    const months = JSON.parse((await runCli(['trends', 'speech', 'title:agentic', '--by', 'month', '--since', '2024-07-01', '--until', '2024-08-31', '--json'], { env })).stdout);
    const speech = JSON.parse((await runCli(['list', '--json', '--topic', 'speech'], { env })).stdout).length;
    expect(months.series.map((s: { points: unknown }) => s.points)).toEqual([
      [{ period: '2024-07', count: 0 }, { period: '2024-08', count: speech }],
      [{ period: '2024-07', count: 0 }, { period: '2024-08', count: 5 }],
    ]);
  });

  for (const width of [80, 120]) {
    it(`the chart fits ${width} columns, has no escape codes, and shows the numbers`, async () => {
      const r = await runCli(['trends', 'speech', 'title:agentic', '--since', '2024-07-01', '--until', '2024-08-31'], { env: { ...env, COLUMNS: String(width) } });
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.every((l) => [...l].length <= width)).toBe(true);
      expect(lines.some((l) => [...l].length >= width - 2)).toBe(true); // the longest bar uses the width
      expect(r.stdout).toMatch(/^2024-08-05 3 █+/m);
      expect(r.stdout).not.toMatch(/\x1b/);
    });
  }

  it('bars are proportional', () => {
    expect(bar(10, 10, 20)).toBe('█'.repeat(20));
    expect(bar(5, 10, 20)).toBe('█'.repeat(10));
    expect(bar(0, 10, 20)).toBe('');
    expect(renderBars([{ label: 'x', points: [{ period: 'p', count: 1 }] }], 30).split('\n')[1]).toBe('p 1 ' + '█'.repeat(25));
  });
});

describe('papers stats', () => {
  it('counts by source and month, topics, and the file size', async () => {
    const r = await runCli(['stats', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.papers).toBe(17);
    expect(s.bySource).toEqual([{ source: 'hf', papers: 13 }, { source: 'import', papers: 4 }]);
    expect(s.byMonth).toEqual([{ month: '2024-08', papers: 17 }]);
    expect(s.topics.find((t: { name: string }) => t.name === 'agents').papers).toBeGreaterThanOrEqual(4);
    expect(s.file.bytes).toBeGreaterThan(0);
    const text = await runCli(['stats'], { env });
    expect(text.stdout).toMatch(/^17 papers in /);
  });
});
