/**
 * A Hugging Face page whose hydration element is there but whose data is missing or unreadable
 * is read from its visible cards, by the parser, `papers today` and `papers import` alike; only
 * a page with neither data nor cards is a layout change. Every page here is derived in memory
 * from the real capture fixtures/hf/daily-2024-08-01.html (see fixtures/PROVENANCE.md).
 */
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '../src/errors.js';
import { parseHfPage } from '../src/sources/hf/parse.js';
import { cacheRows, runCli, serverAndCache } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const PAGE = fixture('hf/daily-2024-08-01.html');
const API = fixture('hf/api-daily-papers-2024-08-01.derived.json');
const HYDRATER = /<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="([^"]*)">/;
const IDS = [
  '2407.21783', '2407.21705', '2407.21770', '2407.21646', '2407.21772', '2407.21630', '2407.21721',
  '2407.21530', '2407.20229', '2407.21781', '2407.21686', '2407.21475', '2404.01300',
];

/** The real page with its DailyPapers element's data-props replaced (null: removed). */
function withProps(props: string | null): string {
  expect(PAGE).toMatch(HYDRATER);
  return PAGE.replace(HYDRATER, (_, raw: string) => `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers"${props === null ? '' : ` data-props="${props === 'cut' ? raw.slice(0, 2000) : props}"`}>`);
}
const withoutCards = (html: string) => html.replace(/<article\b[\s\S]*?<\/article>/g, '');

const broken: [string, string][] = [
  ['the element without its data-props', withProps(null)],
  ['data-props cut short (invalid JSON)', withProps('cut')],
  ['data-props that are not an object', withProps('[]')],
  ['data whose items have no ids', withProps('{&quot;date&quot;:&quot;2024-08-01T00:00:00.000Z&quot;,&quot;dailyPapers&quot;:[{&quot;title&quot;:&quot;x&quot;}]}')],
];

describe('the parser', () => {
  for (const [name, html] of broken) {
    it(`${name}: the 13 cards, dated 2024-08-01`, async () => {
      const l = await parseHfPage(html);
      expect(l.format).toBe('hf-page-cards');
      expect(l.date).toBe('2024-08-01');
      expect(l.papers.map((p) => p.id)).toEqual(IDS);
    });
    it(`${name}, and no cards: a layout change (ParseError the data's own error)`, async () => {
      const html2 = withoutCards(html);
      expect(html2).not.toContain('<article');
      await expect(parseHfPage(html2)).rejects.toThrow(ParseError);
      await expect(parseHfPage(html2)).rejects.toThrow(/, and no paper cards to read instead$/);
    });
  }
});

describe('papers today', () => {
  const t = serverAndCache();
  const today = () => runCli(['today', '--json', '--timeout', '10'], { env: t.env(), timeoutMs: 60_000 });

  it('with the API down and the data missing from the page, shows and stores the cards', async () => {
    t.server.route('/api/daily_papers', { status: 404 });
    t.server.route('/papers', { body: withProps(null) });
    const r = await today();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((p: { id: string }) => p.id)).toEqual(IDS);
    expect(cacheRows(t.tmp.db, 'SELECT list_date, paper_count FROM lists')).toEqual([{ list_date: '2024-08-01', paper_count: 13 }]);
  });

  it('with neither data nor cards and nothing cached: exit 1, one line, nothing stored', async () => {
    t.server.route('/api/daily_papers', { status: 404 });
    t.server.route('/papers', { body: withoutCards(withProps('cut')) });
    const r = await today();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: Hugging Face answered, but not in a shape papers recognises: .*no paper cards to read instead \(.+\)\n$/);
    expect(cacheRows(t.tmp.db, 'SELECT count(*) AS n FROM papers')).toEqual([{ n: 0 }]);
  });

  it('with neither data nor cards and the day cached: the cached list, a warning, exit 0', async () => {
    t.server.route('/api/daily_papers', { body: API });
    expect((await today()).code).toBe(0);
    t.server.route('/api/daily_papers', { status: 404 });
    t.server.route('/papers', { body: withoutCards(withProps(null)) });
    const r = await today();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((p: { id: string }) => p.id)).toEqual(IDS);
    expect(r.stderr).toMatch(/^papers: warning: .*not in a shape papers recognises.*; showing the cached list of 2024-08-01/);
  });
});

describe('papers import', () => {
  const t = serverAndCache();
  const importFile = async (html: string) => {
    const path = join(t.tmp.dir, 'page.html');
    writeFileSync(path, html);
    return runCli(['import', path], { env: t.env() });
  };

  it('a saved page whose data is missing: its cards, as the daily list of 2024-08-01', async () => {
    const r = await importFile(withProps(null));
    expect(r.code, r.stderr).toBe(0);
    expect(cacheRows(t.tmp.db, 'SELECT list_date, paper_count FROM lists')).toEqual([{ list_date: '2024-08-01', paper_count: 13 }]);
  });

  it('a saved page whose data is cut short and has no cards: exit 1, nothing stored', async () => {
    const r = await importFile(withoutCards(withProps('cut')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: .*DailyPapers.*no paper cards/);
    expect(cacheRows(t.tmp.db, 'SELECT count(*) AS n FROM papers')).toEqual([{ n: 0 }]);
  });
});
