/** papers export: every format read back by a real parser, the filters of list, --output atomic. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Store } from '../src/store/index.js';
import { emptyPaper, RECORD_FIELDS as PAPER_FIELDS } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { BIN, runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };
const HOSTILE = 'Braces {unbalanced and } $math$ 100% #1 a_b ~x ^y \\cmd & <tag> "q" \x1b[31m\u202e =SUM(A1)';
const N = 17;

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers, { now: '2026-01-10T10:00:00.000Z' });
  store.upsertPapers([
    { ...emptyPaper(HOSTILE, 'import'), id: '2601.00001', authors: ['Zoë {Brace', 'O’Neil, Jr.'], publishedAt: '2026-01-02', summary: `${HOSTILE}. Second sentence.`, keywords: ['-minus', '+plus'] },
    { ...emptyPaper('Same Key Twice', 'arxiv'), id: '2601.00002', authors: ['Ann Lee'], publishedAt: '2026-01-03', journalRef: 'Nature 1 (2026) 1-2', categories: ['cs.LG'], summary: 'We study e.g. keys in detail. Then more.' },
    { ...emptyPaper('Same Key Again', 'arxiv'), id: '2601.00003', authors: ['Bob Lee'], publishedAt: '2026-01-04', upvotes: 3 },
    { ...emptyPaper('Known only by its title', 'import'), authorCount: 2, dailyDate: '2026-01-04', upvotes: 50 },
  ], { now: '2026-01-12T10:00:00.000Z' });
  store.close();
});
afterAll(() => tmp.cleanup());

const exportOf = async (...args: string[]) => {
  const r = await runCli(['export', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

/** RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

const LISTS = new Set(['authors', 'keywords', 'categories', 'sources', 'tags']);
const BOOLEANS = new Set(['seen', 'starred', 'hidden']);
const NUMBERS = new Set(['authorCount', 'upvotes', 'comments', 'githubStars']);

/** A CSV row back to a record: empty is null, lists split on "; ", numbers, formula guards off. */
function csvRecord(header: string[], row: string[]): Record<string, unknown> {
  return Object.fromEntries(header.map((k, i) => {
    const cell = row[i]!;
    if (k === 'versions') return [k, cell === '' ? [] : cell.split('; ').map((v) => ({ version: Number(/^v(\d+)/.exec(v)![1]), date: v.split(' ')[1] ?? null }))];
    if (LISTS.has(k)) return [k, cell === '' ? [] : cell.split('; ').map((v) => v.replace(/^'(?=[=+\-@\t\r])/, ''))];
    if (cell === '') return [k, null];
    if (NUMBERS.has(k)) return [k, Number(cell)];
    if (BOOLEANS.has(k)) return [k, cell === 'true'];
    return [k, cell.replace(/^'(?=[=+\-@\t\r])/, '')];
  }));
}

describe('papers export formats', () => {
  it('json is the record of the contract; jsonl and csv read back to the same records', async () => {
    const json = JSON.parse(await exportOf('--format', 'json')) as Record<string, unknown>[];
    expect(json).toHaveLength(N);
    for (const r of json) expect(Object.keys(r)).toEqual([...PAPER_FIELDS]);
    const jsonl = (await exportOf('--format', 'jsonl')).trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl).toEqual(json);
    const [header, ...rows] = readCsv(await exportOf('--format', 'csv'));
    expect(header).toEqual([...PAPER_FIELDS]);
    // CSV is read by people too: it drops the control characters (ESC, BEL…) JSON keeps.
    const clean = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '') : Array.isArray(v) ? v.map(clean) : v);
    expect(json.some((r) => /\u001b/.test(String(r.title)))).toBe(true);
    expect(rows.map((r) => csvRecord(header!, r))).toEqual(json.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, clean(v)]))));
    expect(JSON.parse(await exportOf())).toEqual(json); // json is the default
  });

  it('bibtex: one entry per paper, parsed without errors, keys unique and the same in every export', async () => {
    const text = await exportOf('--format', 'bibtex');
    const bib = parseBibtex(text, { sentenceCase: false });
    expect(bib.errors).toEqual([]);
    expect(bib.entries).toHaveLength(N);
    expect(new Set(bib.entries.map((e) => e.key)).size).toBe(N);
    const llama = bib.entries.find((e) => e.fields.eprint === '2407.21783')!;
    expect(llama).toMatchObject({ key: 'dubey2024llama', type: 'misc' });
    expect(llama.fields).toMatchObject({ title: 'The Llama 3 Herd of Models', archiveprefix: 'arXiv', url: 'https://arxiv.org/abs/2407.21783', year: '2024' });
    expect(llama.fields.author).toHaveLength(533);
    const journal = bib.entries.find((e) => e.fields.eprint === '2601.00002')!;
    expect(journal).toMatchObject({ type: 'article', key: 'lee2026same' });
    expect(journal.fields).toMatchObject({ journal: 'Nature 1 (2026) 1-2', primaryclass: 'cs.LG' });
    expect(bib.entries.find((e) => e.fields.eprint === '2601.00003')!.key).toBe('lee2026samea');
    const hostile = bib.entries.find((e) => e.fields.eprint === '2601.00001')!;
    expect(hostile.fields.title).toBe(HOSTILE.replace(/\x1b|\u202e/g, ''));
    expect(text).not.toContain('\x1b');
    // Keys come from the whole cache: an export of one paper, in any order, keeps them.
    expect(await exportOf('--format', 'bibtex', '-q', 'title:again')).toMatch(/^@misc\{lee2026samea,/);
    const byTitle = parseBibtex(await exportOf('--format', 'bibtex', '--sort', 'title'), { sentenceCase: false }).entries;
    expect(Object.fromEntries(byTitle.map((e) => [e.fields.eprint ?? e.fields.title, e.key]))).toEqual(Object.fromEntries(bib.entries.map((e) => [e.fields.eprint ?? e.fields.title, e.key])));
  });

  it('atom: a well-formed feed, one entry per paper, updated as the newest entry, a stable id per filter', async () => {
    const all = await exportOf('--format', 'atom');
    expect(XMLValidator.validate(all)).toBe(true);
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name) });
    const feed = parser.parse(all).feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.entry).toHaveLength(N);
    expect(feed.updated).toBe('2026-01-12T10:00:00.000Z');
    for (const e of feed.entry) {
      expect(e.id).toMatch(/^(https:\/\/arxiv\.org\/abs\/|urn:papers:title:)/);
      expect(e.title['#text'] ?? e.title).toBeTruthy();
      expect(Date.parse(e.updated)).not.toBeNaN();
      expect(e.link.some((l: Record<string, string>) => l['@_rel'] === 'alternate')).toBe(true);
    }
    expect(all).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    const speech = parser.parse(await exportOf('--format', 'atom', '--topic', 'speech')).feed;
    expect(speech.id).toMatch(/^urn:papers:export:[0-9a-f]{32}$/);
    expect(speech.id).not.toBe(feed.id);
    expect(parser.parse(await exportOf('--format', 'atom', '--topic', 'speech')).feed.id).toBe(speech.id);
    expect(speech.title['#text'] ?? speech.title).toBe('papers: topic speech');
    expect(speech.entry.length).toBe(JSON.parse((await runCli(['list', '--json', '--topic', 'speech'], { env })).stdout).length);
    // Written to a file, the feed names itself (rel="self"), so readers can subscribe to it.
    const out = join(tmp.dir, 'feed.xml');
    await exportOf('--format', 'atom', '-o', out);
    expect(readFileSync(out, 'utf8')).toContain(`<link rel="self" type="application/atom+xml" href="file://${out}"/>`);
  });

  it('md: a digest by day, newest first, each paper linked with upvotes, first author and one line', async () => {
    const byDay = await exportOf('--format', 'md');
    expect(byDay.match(/^## .+$/gm)).toEqual(['## 2026-01-04', '## 2026-01-03', '## 2026-01-02', '## 2024-08-01']);
    expect(byDay).toContain('- [The Llama 3 Herd of Models](https://huggingface.co/papers/2407.21783) — ▲ 94 · Abhimanyu Dubey et al.');
    expect(byDay).toContain('- [Same Key Twice](https://arxiv.org/abs/2601.00002) — Ann Lee\n  We study e.g. keys in detail.\n');
    expect(byDay).toContain('**Known only by its title** — ▲ 50 · 2 authors');
    // The top papers by upvotes are still grouped by day.
    const top = await exportOf('--format', 'md', '--sort', 'upvotes', '-n', '3');
    expect(top.match(/^## .+$/gm)).toEqual(['## 2026-01-04', '## 2024-08-01']);
    expect(top.match(/^- /gm)).toHaveLength(3);
    expect(byDay).not.toContain('\x1b');
  });

  it('md --group topic: a section per topic, then the papers of none', async () => {
    const two = await exportOf('--format', 'md', '--group', 'topic', '--topic', 'speech', '--topic', 'agents');
    expect(two.match(/^## .+$/gm)).toEqual(['## speech', '## agents']);
    const all = await exportOf('--format', 'md', '--group', 'topic');
    const sections = all.match(/^## .+$/gm)!;
    expect(sections[sections.length - 1]).toBe('## other');
    expect(all.split('## other')[1]).toContain('Same Key Again');
  });
});

describe('papers export filters', () => {
  const ids = async (cmd: string, args: string[]) => (JSON.parse((await runCli([cmd, '--json', ...args], { env })).stdout) as { id: string | null; title: string }[]).map((p) => p.id ?? p.title);
  for (const args of [['-q', 'title:llama'], ['--topic', 'speech', '--topic', 'agents'], ['--since', '2026-01-01'], ['--until', '2025-01-01', '--min-upvotes', '10'], ['--author', 'lee'], ['--source', 'arxiv'], ['--sort', 'title', '-n', '5'], ['-q', '-llama', '--since', '2024-08-01']]) {
    it(`are those of list: ${args.join(' ')}`, async () => {
      const exported = await ids('export', args);
      expect(exported).toEqual(await ids('list', args));
      expect(exported.length).toBeGreaterThan(0);
    });
  }

  it('bad input is a usage error; nothing matching is an empty export and a note on stderr', async () => {
    for (const args of [['--format', 'table'], ['-q', '"unbalanced'], ['--since', 'yesterday'], ['--group', 'week']]) {
      const r = await runCli(['export', ...args], { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^papers: [^\n]+\n$/);
    }
    const none = await runCli(['export', '--format', 'bibtex', '-q', 'zzzqqq'], { env });
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'papers: no papers match\n' });
    expect(JSON.parse(await exportOf('-q', 'zzzqqq'))).toEqual([]);
  });
});

describe('papers export --output', () => {
  it('replaces the file whole, keeps its permissions, and - means stdout', async () => {
    const out = join(tmp.dir, 'papers.bib');
    writeFileSync(out, 'old');
    chmodSync(out, 0o600);
    const r = await runCli(['export', '--format', 'bibtex', '-o', out], { env });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: `papers: wrote ${N} papers to ${out} (bibtex)\n` });
    expect(parseBibtex(readFileSync(out, 'utf8')).entries).toHaveLength(N);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(await exportOf('--format', 'bibtex', '-o', '-')).toBe(readFileSync(out, 'utf8'));
  });

  it('a failure leaves nothing behind and the target as it was', async () => {
    const bad = await runCli(['export', '-o', join(tmp.dir, 'missing', 'dir', 'x.json')], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`papers: cannot write ${join(tmp.dir, 'missing', 'dir', 'x.json')}: its directory does not exist (nothing was written there)\n`);
    expect(existsSync(join(tmp.dir, 'missing'))).toBe(false);
    writeFileSync(join(tmp.dir, 'kept.json'), 'old');
    const usage = await runCli(['export', '-q', 'title:(', '-o', join(tmp.dir, 'kept.json')], { env });
    expect(usage.code).toBe(2);
    expect(readFileSync(join(tmp.dir, 'kept.json'), 'utf8')).toBe('old');
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The cache itself is never the target.
    const self = await runCli(['export', '-o', tmp.db], { env });
    expect(self).toMatchObject({ code: 2, stderr: `papers: --output ${tmp.db} is the cache itself (write the export to another file)\n` });
    expect(JSON.parse(await exportOf())).toHaveLength(N);
  });

  describe('on a larger cache', () => {
    const big = tempDir();
    const bigEnv = { PAPERS_DB: big.db, PAPERS_CONFIG: big.config };
    beforeAll(() => {
      const store = Store.open(big.db);
      const summary = Array.from({ length: 600 }, (_, i) => `word${i % 50}`).join(' ');
      store.upsertPapers(Array.from({ length: 8000 }, (_, i) => ({ ...emptyPaper(`Paper number ${i}`, 'import'), id: `2601.${String(i).padStart(5, '0')}`, authors: ['Ann Lee'], publishedAt: '2026-01-02', summary })));
      store.close();
    });
    afterAll(() => big.cleanup());

    /** Start an export to `out` and report every size the file had while it ran. */
    function exportWatched(out: string, onTmp?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: string | null; sizes: Set<number> }> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, 'export', '--format', 'atom', '-o', out], { env: { ...process.env, ...bigEnv }, stdio: 'ignore' });
        const sizes = new Set<number>();
        let signalled = false;
        const timer = setInterval(() => {
          sizes.add(statSync(out, { throwIfNoEntry: false })?.size ?? -1);
          if (onTmp && !signalled && readdirSync(big.dir).some((f) => f.endsWith('.tmp'))) {
            signalled = true;
            onTmp(child);
          }
        }, 2);
        child.on('close', (code, signal) => {
          clearInterval(timer);
          resolve({ code, signal, sizes });
        });
      });
    }

    it('a reader sees the old file or the whole new one, never a part', async () => {
      const out = join(big.dir, 'feed.xml');
      writeFileSync(out, 'old');
      const { code, sizes } = await exportWatched(out);
      expect(code).toBe(0);
      const final = statSync(out).size;
      expect(final).toBeGreaterThan(1 << 20);
      expect([...sizes].every((s) => s === 3 || s === final)).toBe(true);
      expect(XMLValidator.validate(readFileSync(out, 'utf8'))).toBe(true);
    });

    it('Ctrl-C or SIGTERM while writing removes the temporary file and leaves the old one', async () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const out = join(big.dir, `stopped-${signal}.xml`);
        writeFileSync(out, 'old');
        const r = await exportWatched(out, (child) => child.kill(signal));
        expect(r.signal).toBe(signal);
        expect(readFileSync(out, 'utf8')).toBe('old');
        expect(readdirSync(big.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      }
    });
  });
});
