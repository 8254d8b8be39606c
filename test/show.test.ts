/** papers show: every id form people paste, the full record for a terminal, --json, a missing id. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Store } from '../src/store/index.js';
import { emptyPaper, RECORD_FIELDS as PAPER_FIELDS } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, COLUMNS: '80' };

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers, { now: '2024-08-01T08:00:00.000Z' });
  // The same list seen again later with more upvotes: a history of counts.
  store.saveList('hf', listing.date!, listing.papers.map((p) => ({ ...p, upvotes: (p.upvotes ?? 0) + 10 })), { now: '2024-08-02T08:00:00.000Z' });
  store.upsertPapers([
    { ...emptyPaper('Dark Energy from an Old-Style Identifier', 'arxiv'), id: 'astro-ph/0601001', publishedAt: '2006-01-01', categories: ['astro-ph'], authors: ['A. Astronomer'] },
    { ...emptyPaper('A Paper Known Only by Its Title', 'import'), authorCount: 4, upvotes: 7 },
    {
      ...emptyPaper('Selective State Spaces at Scale', 'hf'),
      id: '2601.00010',
      summary: 'We scale state space models.',
      aiSummary: 'Long sequences, linear time.',
      keywords: ['state space models', 'long context'],
      categories: ['cs.LG', 'cs.CL'],
      organization: 'Example Lab',
      githubRepo: 'https://github.com/example/ssm',
      githubStars: 1234,
      projectPage: 'https://example.org/ssm',
    },
    {
      ...emptyPaper('Hostile \x1b[31mRed\x1b[0m Title \u202eevil', 'import'),
      id: '2601.00009',
      summary: 'Abstract with an escape \x1b]8;;http://x\x07link\x1b]8;;\x07 and a zero\u200bwidth space.',
      authors: ['Eve \x1b[2J'],
    },
  ]);
  store.close();
});
afterAll(() => tmp.cleanup());

const show = (...args: string[]) => runCli(['show', ...args], { env });

describe('papers show <id>', () => {
  it('accepts every id form people paste', async () => {
    const forms = ['2407.21783', '2407.21783v2', 'arXiv:2407.21783', 'arxiv:2407.21783v1', 'https://arxiv.org/abs/2407.21783v1', 'https://arxiv.org/pdf/2407.21783', 'https://arxiv.org/pdf/2407.21783v3.pdf', 'https://huggingface.co/papers/2407.21783', '  2407.21783  '];
    for (const form of forms) {
      const r = await show(form, '--json');
      expect(r.code, `${form}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout), form).toMatchObject({ id: '2407.21783', title: 'The Llama 3 Herd of Models', upvotes: 104 });
    }
    for (const form of ['astro-ph/0601001', 'astro-ph/0601001v2', 'arXiv:astro-ph/0601001', 'https://arxiv.org/abs/astro-ph/0601001']) {
      const r = await show(form, '--json');
      expect(r.code, form).toBe(0);
      expect(JSON.parse(r.stdout).id, form).toBe('astro-ph/0601001');
    }
  });

  it('--json is the record with the contract fields, then what show adds', async () => {
    const r = await show('2407.21705', '--json');
    expect(r.stderr).toBe('');
    const rec = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(rec)).toEqual([...PAPER_FIELDS, 'arxivComment', 'journalRef', 'doi', 'dailyLists', 'countHistory', 'versionSizes']);
    expect(rec).toMatchObject({ id: '2407.21705', dailyDate: '2024-08-01', arxivUrl: 'https://arxiv.org/abs/2407.21705', pdfUrl: 'https://arxiv.org/pdf/2407.21705', sources: ['hf'] });
  });

  it('prints the full record wrapped to the terminal: links, lists, upvote history', async () => {
    const r = await show('2407.21646');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out.split('\n').every((l) => l.length <= 80), out).toBe(true);
    // the 90-character title wraps instead of running past the edge
    expect(out.startsWith('Towards Achieving Human Parity on End-to-end Simultaneous Speech Translation via\nLLM Agent\n')).toBe(true);
    expect(out).toMatch(/^id: +arXiv:2407\.21646$/m);
    expect(out).toMatch(/^authors: +Shanbo Cheng, Zhichao Huang, Tom Ko, Hang Li, Ningxin Peng, Lu Xu,\n {14}Qini Zhang$/m);
    expect(out).toMatch(/^published: +2024-07-31$/m);
    expect(out).toMatch(/^upvotes: +26$/m);
    expect(out).toMatch(/^hf page: +https:\/\/huggingface\.co\/papers\/2407\.21646$/m);
    expect(out).toMatch(/^pdf: +https:\/\/arxiv\.org\/pdf\/2407\.21646$/m);
    expect(out).toContain('\nAbstract\n  In this paper, we present Cross Language Agent -- Simultaneous Interpretation,\n');
    expect(out).toContain('\nDaily lists\n  2024-08-01  #4 on Hugging Face\n');
    expect(out).toContain('\nUpvote history\n  2024-08-01 08:00  ▲ 16  💬 8\n  2024-08-02 08:00  ▲ 26  💬 8\n');
    expect(out).not.toContain('\x1b'); // no colour when piped
    const wide = await runCli(['show', '2407.21646'], { env: { ...env, COLUMNS: '120' } });
    expect(wide.stdout.split('\n')[0]).toBe('Towards Achieving Human Parity on End-to-end Simultaneous Speech Translation via LLM Agent');
  });

  it('keywords, AI summary, categories and code links when the sources gave them', async () => {
    const r = await show('2601.00010');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^keywords: +state space models, long context$/m);
    expect(r.stdout).toMatch(/^categories: +cs\.LG, cs\.CL$/m);
    expect(r.stdout).toMatch(/^organization: +Example Lab$/m);
    expect(r.stdout).toMatch(/^code: +https:\/\/github\.com\/example\/ssm \(★ 1234\)$/m);
    expect(r.stdout).toMatch(/^project: +https:\/\/example\.org\/ssm$/m);
    expect(r.stdout).toContain('\nAI summary\n  Long sequences, linear time.\n');
    expect(r.stdout).toContain('\nAbstract\n  We scale state space models.\n');
  });

  it('finds a record without an id by its title (any case and punctuation)', async () => {
    const r = await show('a paper known only by its title');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^id: +\(none: known by its title\)$/m);
    expect(r.stdout).toMatch(/^authors: +4 authors$/m);
    const json = await show('A Paper Known, Only by Its Title!', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: null, title: 'A Paper Known Only by Its Title', authorCount: 4, upvotes: 7 });
    // several words without quotes are one title
    expect((await runCli(['show', 'A', 'Paper', 'Known', 'Only', 'by', 'Its', 'Title', '--json'], { env })).code).toBe(0);
  });

  it('never lets hostile text reach the terminal, but keeps it exactly in JSON', async () => {
    const r = await show('2601.00009');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\x1b\u202e\u200b\x07]/);
    expect(r.stdout).toContain('Hostile [31mRed[0m Title evil');
    expect(JSON.parse((await show('2601.00009', '--json')).stdout).title).toBe('Hostile \x1b[31mRed\x1b[0m Title \u202eevil');
  });

  it('an id or title not in the cache: exit 1 with a hint', async () => {
    const missing = await show('2501.99999');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('papers: arXiv:2501.99999 is not in the cache (papers fetch 2501.99999 gets it)\n');
    const url = await show('https://arxiv.org/abs/2501.99999v4');
    expect(url.stderr).toBe('papers: arXiv:2501.99999 is not in the cache (papers fetch 2501.99999 gets it)\n');
    const title = await show('no such title at all');
    expect(title.code).toBe(1);
    expect(title.stderr).toMatch(/^papers: "no such title at all" is not in the cache \(.*papers search.*\)\n$/);
  });

  it('usage errors: no id (exit 2)', async () => {
    const r = await runCli(['show'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^papers: missing required argument/);
  });
});
