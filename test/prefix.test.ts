/**
 * Prefix queries match exactly the papers with a word that begins with what was typed, in the
 * columns searched, whatever the index's stemmer makes of the words: "optimal" and "optimizer"
 * share the stem "optim", yet `optimiz*` finds only the second. Through `papers list -q` on a
 * cache of purpose-built papers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Store } from '../src/store/index.js';
import { emptyPaper, type ParsedPaper } from '../src/record.js';
import { queryToFts } from '../src/query.js';
import { runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir();
const env = { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config };

function paper(id: string, title: string, summary: string, over: Partial<ParsedPaper> = {}): ParsedPaper {
  return { ...emptyPaper(title, 'arxiv'), id, summary, authors: ['Ada Lovelace'], publishedAt: '2025-03-01', ...over };
}

/** The papers and the words that matter in each. */
const PAPERS = [
  paper('2503.00001', 'Optimal Transport Bounds', 'We prove optimal rates for transport.'), // optimal only
  paper('2503.00002', 'A Better Optimizer', 'Training with a new optimizer.'),
  paper('2503.00003', 'Optimal Optimization', 'Optimal and optimizing, together.'),
  paper('2503.00004', 'Grounded Generation', 'Reducing hallucination in language models.'),
  paper('2503.00005', 'Hallucinations Everywhere', 'Why models keep hallucinating facts.'),
  paper('2503.00006', 'Agents at Work', 'We study hallucinating agents and optimal policies.'),
  paper('2503.00007', 'Fast Optimizers', 'Nothing else to say here.'),
  paper('2503.00008', 'An Unrelated Title', 'An optimizer for everything.'), // optimiz* in the abstract only
  paper('2503.00009', 'The Optimum Is Near', 'Convex analysis.'), // optim* but not optimiz*
  paper('2503.00010', 'Graph Neural Networks', 'Message passing on graphs.'),
  paper('2503.00011', 'Transport Maps', 'Maps between measures.', { authors: ['Optimus Prime'] }), // optim* in the authors
];

beforeAll(async () => {
  const store = Store.open(tmp.db);
  store.upsertPapers(PAPERS);
  store.close();
  const r = await runCli(['star', '2503.00001', '2503.00002'], { env });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => tmp.cleanup());

const ids = async (query: string, ...args: string[]) => {
  const r = await runCli(['list', '--json', '-q', query, ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id).sort();
};
const n = (...xs: number[]) => xs.map((x) => `2503.${String(x).padStart(5, '0')}`);
const ALL = PAPERS.map((p) => p.id!);
const without = (...xs: number[]) => ALL.filter((id) => !n(...xs).includes(id));

describe('prefix queries match what was typed', () => {
  it('a prefix finds the words that begin with it, not the words that share their stem', async () => {
    expect(await ids('optimiz*')).toEqual(n(2, 3, 7, 8));
    expect(await ids('optim*')).toEqual(n(1, 2, 3, 6, 7, 8, 9, 11));
    expect(await ids('hallucinat*')).toEqual(n(4, 5, 6));
    expect(await ids('hallucin*')).toEqual(n(4, 5, 6));
    expect(await ids('optimal')).toEqual(n(1, 3, 6, 2, 7, 8).sort()); // a word (not a prefix) still finds its stem's relatives
  });

  it('within fields', async () => {
    expect(await ids('title:optimiz*')).toEqual(n(2, 3, 7));
    expect(await ids('abstract:optimiz*')).toEqual(n(2, 3, 8));
    expect(await ids('author:optim*')).toEqual(n(11));
    expect(await ids('title:(optimiz* OR hallucinat*)')).toEqual(n(2, 3, 5, 7));
  });

  it('under NOT, a prefix excludes only the papers that have such a word', async () => {
    expect(await ids('optimal -optimiz*')).toEqual(n(1, 6));
    expect(await ids('-optimiz*')).toEqual(without(2, 3, 7, 8));
    expect(await ids('transport -(optimiz* OR hallucinat*)')).toEqual(n(1, 11));
    expect(await ids('optim* -title:optimiz*')).toEqual(n(1, 6, 8, 9, 11));
    expect(await ids('NOT hallucinat* NOT optimiz*')).toEqual(without(2, 3, 4, 5, 6, 7, 8));
  });

  it('with AND, OR, phrases and marks', async () => {
    expect(await ids('optimiz* hallucinat*')).toEqual([]);
    expect(await ids('optimal hallucinat*')).toEqual(n(6));
    expect(await ids('optimiz* OR hallucinat*')).toEqual(n(2, 3, 4, 5, 6, 7, 8));
    expect(await ids('"optimal transport" optimiz*')).toEqual([]);
    expect(await ids('"optimal transport" OR optimiz*')).toEqual(n(1, 2, 3, 7, 8));
    expect(await ids('(optimiz* -title:better) OR (graph* neural)')).toEqual(n(3, 7, 8, 10));
    expect(await ids('is:starred optimiz*')).toEqual(n(2));
    expect(await ids('is:starred -optimiz*')).toEqual(n(1));
    expect(await ids('is:starred OR hallucinat*')).toEqual(n(1, 2, 4, 5, 6));
  });

  it('with filters, sorts and limits, and in counts', async () => {
    expect(await ids('optimiz*', '--sort', 'relevance')).toEqual(n(2, 3, 7, 8));
    expect(await ids('optimiz*', '--sort', 'title', '-n', '10')).toEqual(n(2, 3, 7, 8));
    const r = await runCli(['list', '--json', '-q', 'optimiz*', '--sort', 'relevance', '-n', '2'], { env });
    const top = (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id);
    expect(top).toHaveLength(2);
    for (const id of top) expect(n(2, 3, 7, 8)).toContain(id);
    const store = Store.open(tmp.db);
    try {
      expect(store.countMatching(queryToFts('optimiz*'))).toBe(4);
      expect(store.countMatchingSince([queryToFts('optimiz*'), queryToFts('optimal -optimiz*'), queryToFts('-optimiz*')], '2025-01-01')).toEqual([4, 2, 7]);
    } finally {
      store.close();
    }
  });
});
