/** What a new user meets first: help, typos, read-only commands, show, fields and the table's layout. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { Store } from '../src/store/index.js';
import { renderTable, displayWidth } from '../src/format/table.js';
import { runCli, tempDir } from './helpers/cli.js';
import { parsedPaper, storedPaper } from './helpers/papers.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, COLUMNS: '80' };
const papers = (...args: string[]) => runCli(args, { env });

beforeAll(() => {
  const store = Store.open(tmp.db);
  store.saveList('hf', '2024-08-01', [
    parsedPaper({ id: '2408.00001', title: 'Scaling Rockets to the Moon', authors: ['Ann Lee', 'Bo Chen'], authorCount: 2, upvotes: 42 }),
    parsedPaper({ id: '2408.00002', title: 'Tiny Models, Big Ideas', authors: ['Cy Dee'], authorCount: 1, upvotes: 7 }),
  ], { now: '2024-08-01T08:00:00.000Z' });
  store.close();
});
afterAll(() => tmp.cleanup());

describe('help and version', () => {
  it('papers alone prints help on stdout and exits 0', async () => {
    const r = await papers();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: papers /);
    expect(r.stderr).toBe('');
  });

  it('-V prints the version like --version', async () => {
    const [short, long] = await Promise.all([papers('-V'), papers('--version')]);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(short.stdout).toBe(long.stdout);
  });

  it('shows defaults as typed, and every command has examples', async () => {
    const fetch = await papers('fetch', '--help');
    expect(fetch.stdout).toContain('(default: 3)');
    expect(fetch.stdout).not.toMatch(/default: "/);
    const commands = [['today'], ['fetch'], ['sync'], ['search'], ['import'], ['list'], ['show'], ['topics'], ['topics', 'show'], ['topics', 'add'], ['topics', 'remove'], ['export'], ['stats'], ['trends']];
    const helps = await Promise.all(commands.map((cmd) => papers(...cmd, '--help')));
    helps.forEach((r, i) => {
      expect(r.code, commands[i]!.join(' ')).toBe(0);
      expect(r.stdout, commands[i]!.join(' ')).toMatch(/\nExamples:\n {2}papers /);
    });
  }, 120_000);

  it('list --help keeps the query language apart from the examples', async () => {
    const r = await papers('list', '--help');
    const query = r.stdout.indexOf('Query language');
    const examples = r.stdout.indexOf('Examples:');
    expect(query).toBeGreaterThan(0);
    expect(examples).toBeGreaterThan(query);
    expect(r.stdout.slice(query, examples)).not.toContain('papers list');
  });
});

describe('usage errors', () => {
  it('a mistyped command is one line with the suggestion', async () => {
    const r = await papers('todya');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("papers: unknown command 'todya' (did you mean today?; see papers --help)\n");
  });

  it("an error inside a subcommand points at that subcommand's help", async () => {
    const r = await papers('list', '--frmat', 'csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("papers: unknown option '--frmat' (did you mean --format?; see papers list --help)\n");
    const sub = await papers('topics', 'ad', 'x', 'y');
    expect(sub.code).toBe(2);
    expect(sub.stderr).toBe("papers: unknown command 'papers topics ad' (did you mean add?; see papers topics --help)\n");
  });

  it('an unknown field in --fields names the known ones', async () => {
    const r = await papers('list', '--fields', 'id,titel');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^papers: --fields: unknown field 'titel' \(did you mean title\?; fields: id, title, /);
  });
});

describe('query and topic messages', () => {
  it("an unknown field prefix is a usage error naming the fields; --topic Vision suggests vision; lower-case or gets a hint", async () => {
    const field = await papers('list', '-q', 'titel:framer');
    expect(field.code).toBe(2);
    expect(field.stderr).toMatch(/^papers: --query: unknown field 'titel:' at column 1 \(fields: title: abstract: author: kw: cat:; /);
    const topic = await papers('list', '--topic', 'Vision');
    expect(topic.code).toBe(2);
    expect(topic.stderr).toMatch(/^papers: unknown topic 'Vision' \(did you mean vision\?; known topics: /);
    const or = await papers('list', '-q', 'rockets or moon');
    expect(or.code).toBe(0);
    expect(or.stderr).toContain('write OR (capitals)');
  });
});

describe('arXiv categories', () => {
  it('are checked against the taxonomy, case included, before any request', async () => {
    const env2 = { ...env, PAPERS_ARXIV_URL: 'http://127.0.0.1:9', PAPERS_ARXIV_API_URL: 'http://127.0.0.1:9' };
    const lower = await runCli(['fetch', '--category', 'cs.lg'], { env: env2 });
    expect(lower.code).toBe(2);
    expect(lower.stderr).toBe("papers: --category: 'cs.lg' is not an arXiv category (did you mean cs.LG? (names are case-sensitive))\n");
    const made = await runCli(['fetch', '--source', 'arxiv', '--category', 'cs.XX'], { env: env2 });
    expect(made.code).toBe(2);
    expect(made.stderr).toMatch(/^papers: --category: 'cs\.XX' is not an arXiv category/);
  });

  it('--category without --source means arXiv', async () => {
    const r = await runCli(['fetch', '--category', 'cs.LG', '--retries', '0'], { env: { ...env, PAPERS_ARXIV_URL: 'http://127.0.0.1:9', PAPERS_ARXIV_API_URL: 'http://127.0.0.1:9', PAPERS_ARXIV_RSS_URL: 'http://127.0.0.1:9' } });
    expect(r.stderr).not.toContain('applies to --source arxiv only');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/arxiv/i);
  });
});

describe('read-only commands never create a cache', () => {
  it('exit 1 naming the path, and nothing is made there', { timeout: 120_000 }, async () => {
    const empty = tempDir();
    try {
      const missing = join(empty.dir, 'no', 'such', 'dir', 'x.db');
      for (const args of [['list'], ['show', '2408.00001'], ['export'], ['stats'], ['trends', 'agents'], ['topics'], ['today', '--offline']]) {
        const r = await runCli([...args, '--db', missing], { env: { PAPERS_CONFIG: empty.config } });
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toBe(`papers: no cache at ${missing} (run papers today, papers fetch or papers import first, or give --db the path of an existing cache)\n`);
        expect(r.stdout).toBe('');
      }
      expect(existsSync(join(empty.dir, 'no'))).toBe(false);
      expect(readdirSync(empty.dir)).toEqual([]);
    } finally {
      empty.cleanup();
    }
  });
});

describe('papers show with several ids', () => {
  it('prints each paper; an unknown one is named, exit 1', async () => {
    const both = await papers('show', '2408.00001', 'arXiv:2408.00002');
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('Scaling Rockets to the Moon');
    expect(both.stdout).toContain('Tiny Models, Big Ideas');
    const some = await papers('show', '2408.00001', '2501.99999', '2408.00002');
    expect(some.code).toBe(1);
    expect(some.stdout).toContain('Scaling Rockets to the Moon');
    expect(some.stdout).toContain('Tiny Models, Big Ideas');
    expect(some.stderr).toBe('papers: arXiv:2501.99999 is not in the cache (papers fetch 2501.99999 gets it)\n');
  });

  it('--json holds the daily lists with ranks and the count history, under documented keys', async () => {
    const one = await papers('show', '2408.00001', '--json');
    expect(one.code).toBe(0);
    const rec = JSON.parse(one.stdout);
    expect(rec).toMatchObject({ id: '2408.00001', dailyLists: [{ source: 'hf', date: '2024-08-01', rank: 1 }], arxivComment: null, journalRef: null, doi: null });
    expect(Array.isArray(rec.countHistory)).toBe(true);
    const two = await papers('show', '2408.00002', '2408.00001', '--json');
    expect(JSON.parse(two.stdout).map((r: { id: string }) => r.id)).toEqual(['2408.00002', '2408.00001']);
  });

  it('does not wrap when piped without a width', async () => {
    const r = await runCli(['show', '2408.00001'], { env: { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, COLUMNS: undefined } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^authors: +Ann Lee, Bo Chen$/m);
  });
});

describe('--fields and --format tsv', () => {
  it('tsv with the fields asked for, in their order', async () => {
    const r = await papers('list', '--format', 'tsv', '--fields', 'id,title,upvotes', '--sort', 'upvotes');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('id\ttitle\tupvotes\n2408.00001\tScaling Rockets to the Moon\t42\n2408.00002\tTiny Models, Big Ideas\t7\n');
  });

  it('csv and the table take the fields too', async () => {
    const csv = await papers('list', '--format', 'csv', '--fields', 'upvotes,id', '--sort', 'upvotes');
    expect(csv.stdout).toBe('upvotes,id\r\n42,2408.00001\r\n7,2408.00002\r\n');
    const table = await papers('list', '--fields', 'id,upvotes', '--sort', 'upvotes');
    expect(table.stdout.split('\n')[0]).toMatch(/^id +upvotes$/);
    expect(table.stdout).toMatch(/^2408\.00001 +42$/m);
  });
});

describe('the table layout', () => {
  const long = Array.from({ length: 6 }, (_, i) => storedPaper({
    id: `2408.0000${i}`,
    title: `A rather long title about scaling diffusion transformers for video number ${i}`,
    authors: ['Maximiliana Featherstonehaugh-Smythe', 'B'],
    authorCount: 12,
    upvotes: 100 + i,
  }));

  it('the title always gets the most room', () => {
    for (const width of [50, 60, 70, 80, 100]) {
      const lines = renderTable(long, { width, color: null }).trimEnd().split('\n');
      const head = lines[0]!;
      const titleW = head.indexOf('Authors') - head.indexOf('Title') - 2;
      const authorsW = head.indexOf('ID') - head.indexOf('Authors') - 2;
      expect(titleW, `width ${width}`).toBeGreaterThanOrEqual(authorsW);
      for (const l of lines) expect(displayWidth(l), `width ${width}`).toBeLessThanOrEqual(width);
    }
  });

  it('measures as string-width does, emoji included', () => {
    for (const s of ['🚀 Rocket', '大型语言模型', 'e\u0301te', 'plain']) expect(displayWidth(s), s).toBe(stringWidth(s));
    const table = renderTable([storedPaper({ id: '2408.00009', title: '🚀 Rocket', upvotes: 1 }), storedPaper({ id: '2408.00010', title: 'Plain', upvotes: 2 })], { width: 80, color: null });
    const ids = table.trimEnd().split('\n').slice(1).map((l) => displayWidth(l.slice(0, l.indexOf('2408.'))));
    expect(new Set(ids).size).toBe(1);
  });
});
