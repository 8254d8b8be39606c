/**
 * The HTML digest in a real browser: Debian's Chromium, driven by playwright-core, renders the
 * page from a loopback server. It must show every watch and paper, link where it should, keep
 * hostile upstream text as text, run no script and ask for nothing beyond the page itself.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { renderDigestHtml } from '../src/format/html.js';
import type { Digest } from '../src/format/digest.js';
import { emptyPaper, type Paper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { fixture, startServer, type TestServer } from './helpers/server.js';

const CHROMIUM = process.env.PAPERS_TEST_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`digest-html.test.ts: skipped: no Chromium at ${CHROMIUM} (install it with "apt-get install chromium", or set PAPERS_TEST_CHROMIUM)`);
}

const stamp = { firstSeenAt: '2026-12-01T08:00:00.000Z', lastSeenAt: '2026-12-01T08:00:00.000Z' };
const real2024 = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json')).papers.map((p): Paper => ({ ...p, ...stamp }));
const real2026 = parseDailyPapersApi(fixture('hf/api-daily-papers-2026-03-06.one-item.json')).papers.map((p): Paper => ({ ...p, ...stamp }));

const HOSTILE_TITLE = '</a><script>alert(1)</script><img src=x onerror=alert(2)> & "quoted" \'single\'';
const HOSTILE_SUMMARY = '<iframe src="https://evil.example/"></iframe><style>body{background:url(https://evil.example/bg)}</style> text';
const hostile: Paper = {
  ...emptyPaper(HOSTILE_TITLE, 'hf'),
  ...stamp,
  id: '2601.00001',
  summary: HOSTILE_SUMMARY,
  authors: ['<b>Mallory</b>', 'Eve "onmouseover=alert(3)', ...Array.from({ length: 8 }, (_, i) => `Author ${i + 1}`)],
  authorCount: 10,
  upvotes: 7,
  url: 'javascript:alert(4)//https://huggingface.co/papers/2601.00001',
  arxivUrl: null,
  pdfUrl: 'data:application/pdf;base64,JVBERi0=',
  githubRepo: 'javascript:alert(5)',
  projectPage: '  JaVaScRiPt:alert(6)',
};
// A safe scheme whose URL tries to break out of the attribute.
const quoting: Paper = {
  ...emptyPaper('Quotes in a link', 'hf'),
  ...stamp,
  id: '2601.00002',
  url: 'https://huggingface.co/papers/2601.00002?x="><script>alert(7)</script>',
  githubRepo: "https://github.com/o/r'onclick='alert(8)",
};
const titleOnly: Paper = { ...emptyPaper('Known only by its title', 'import'), ...stamp, authorCount: 3 };

const digest: Digest = {
  title: 'papers digest <for> "you" & me',
  generatedAt: '2026-12-01T20:41:00.000Z',
  groups: [
    { watch: { name: 'video & 3D', query: 'video OR "3d" -survey' }, papers: real2024.slice(0, 8) },
    { watch: { name: '<i>hostile</i>', query: 'title:"</p><script>alert(9)</script>"' }, papers: [...real2024.slice(8), ...real2026, hostile, quoting, titleOnly] },
    { watch: { name: 'quiet', query: 'nothing matches' }, papers: [] },
  ],
};

describe.skipIf(!haveChromium)('the HTML digest in headless Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  const requested: string[] = [];
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  const html = renderDigestHtml(digest);

  beforeAll(async () => {
    server = await startServer();
    server.route('/digest.html', { headers: { 'content-type': 'text/html; charset=utf-8' }, body: html });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (r) => requested.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    // Anything but the page itself is refused (and recorded above) rather than fetched.
    await page.route('**/*', (route) => (route.request().url() === `${server.url}/digest.html` ? route.continue() : route.abort()));
    await page.goto(`${server.url}/digest.html`, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the title, every watch and every paper', async () => {
    expect(await page.title()).toBe(digest.title);
    expect(await page.locator('h1').innerText()).toBe(digest.title);
    const groups = await page.locator('div.group').evaluateAll((els) =>
      els.map((g) => ({ heading: g.querySelector('h2')!.textContent, query: g.querySelector('.query')!.textContent, papers: g.querySelectorAll('div.paper').length })),
    );
    expect(groups).toEqual(digest.groups.map((g) => ({ heading: `${g.watch.name} (${g.papers.length})`, query: g.watch.query, papers: g.papers.length })));
    expect(await page.locator('div.paper').count()).toBe(8 + 5 + 1 + 3);
    expect(await page.locator('.meta').innerText()).toBe('17 papers · 3 watches · 2026-12-01 20:41 UTC');
    expect(await page.locator('div.group').nth(2).locator('.empty').innerText()).toBe('Nothing new.');
  });

  it('shows each paper\'s title, upvotes, authors and summary as text', async () => {
    const all = digest.groups.flatMap((g) => g.papers);
    const shown = await page.locator('div.paper').evaluateAll((els) =>
      els.map((e) => ({
        title: e.querySelector('.title')!.textContent,
        upvotes: e.querySelector('.upvotes')?.textContent ?? null,
        authors: e.querySelector('.authors')?.textContent ?? null,
        summary: e.querySelector('.summary')?.textContent ?? null,
      })),
    );
    expect(shown.map((s) => s.title)).toEqual(all.map((p) => p.title));
    expect(shown.map((s) => s.upvotes)).toEqual(all.map((p) => (p.upvotes === null ? null : `▲ ${p.upvotes}`)));
    // The 2026 paper has an AI summary, which is shown instead of the abstract.
    const i2026 = all.indexOf(real2026[0]!);
    expect(real2026[0]!.aiSummary).toBeTruthy();
    expect(shown[i2026]!.summary).toBe(real2026[0]!.aiSummary);
    // Without one, the abstract's first sentences, cut at a sentence end.
    const first = real2024[0]!;
    expect(first.summary!.startsWith(shown[0]!.summary!)).toBe(true);
    expect(shown[0]!.summary!.length).toBeLessThanOrEqual(300);
    expect(shown[0]!.summary).toMatch(/[.!?]$/);
    // Ten authors: six named, the rest counted.
    const ih = all.indexOf(hostile);
    expect(shown[ih]!.authors).toBe('<b>Mallory</b>, Eve "onmouseover=alert(3), Author 1, Author 2, Author 3, Author 4 and 4 more');
    expect(shown[ih]!.summary).toBe(HOSTILE_SUMMARY);
    expect(shown[all.indexOf(titleOnly)]!.authors).toBe('3 authors');
  });

  it('links every title and link where it should point, and only to http(s)', async () => {
    const all = digest.groups.flatMap((g) => g.papers);
    const links = await page.locator('div.paper').evaluateAll((els) =>
      els.map((e) => ({
        title: e.querySelector('a.title')?.getAttribute('href') ?? null,
        others: [...e.querySelectorAll('.links a')].map((a) => [a.textContent, a.getAttribute('href')]),
      })),
    );
    // Real papers: the title goes to the HF page; arXiv, PDF and (when given) code and project links follow.
    all.forEach((p, i) => {
      if (p === hostile || p === quoting || p === titleOnly) return;
      expect(links[i]!.title).toBe(`https://huggingface.co/papers/${p.id}`);
      const expected = [['arXiv', `https://arxiv.org/abs/${p.id}`], ['PDF', `https://arxiv.org/pdf/${p.id}`]];
      if (p.githubRepo) expected.push(['Code', p.githubRepo]);
      if (p.projectPage) expected.push(['Project page', p.projectPage]);
      expect(links[i]!.others).toEqual(expected);
    });
    expect(real2026[0]!.githubRepo).toMatch(/^https:\/\/github\.com\//);
    // Hostile: the javascript: page link is dropped for arXiv; data: and javascript: links vanish.
    expect(links[all.indexOf(hostile)]).toEqual({
      title: 'https://arxiv.org/abs/2601.00001',
      others: [['arXiv', 'https://arxiv.org/abs/2601.00001'], ['PDF', 'https://arxiv.org/pdf/2601.00001']],
    });
    // Quotes in an http(s) URL stay inside the attribute (percent-encoded by URL normalisation).
    expect(links[all.indexOf(quoting)]).toEqual({
      title: 'https://huggingface.co/papers/2601.00002?x=%22%3E%3Cscript%3Ealert(7)%3C/script%3E',
      others: [['arXiv', 'https://arxiv.org/abs/2601.00002'], ['PDF', 'https://arxiv.org/pdf/2601.00002'], ['Code', "https://github.com/o/r'onclick='alert(8)"]],
    });
    expect(links[all.indexOf(titleOnly)]).toEqual({ title: null, others: [] });
    const every = await page.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(every.length).toBeGreaterThan(40);
    for (const href of every) expect(href).toMatch(/^https:\/\//);
  });

  it('keeps hostile text as text: no script, handler, frame, image or dialog', async () => {
    const dom = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      embedded: document.querySelectorAll('img, iframe, object, embed, link, video, audio, source, form, base').length,
      styles: document.querySelectorAll('style').length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}.${a.name}`)),
      bold: document.querySelectorAll('div.paper b, h2 i').length,
    }));
    expect(dom).toEqual({ scripts: 0, embedded: 0, styles: 0, handlers: [], bold: 0 });
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.locator('div.group').nth(1).locator('h2').innerText()).toBe('<i>hostile</i> (9)');
  });

  it('asks for nothing beyond the page itself', async () => {
    await page.waitForLoadState('networkidle');
    expect(requested).toEqual([`${server.url}/digest.html`]);
    expect(server.requests.map((r) => r.path)).toEqual(['/digest.html']);
  });

  it('fits a phone screen and keeps a readable width on a wide one', async () => {
    const wide = await page.locator('div.digest').evaluate((e) => e.getBoundingClientRect().width);
    expect(wide).toBeLessThanOrEqual(680);
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
  });
});
