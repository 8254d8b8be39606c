/**
 * Papers like this one, offline: real fixture papers as the corpus, reworded copies of them
 * (papers the tool has never seen) as the queries; each copy's original must come first.
 */
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusStats, forYou, similar, stem, tokenize, words, type SimilarDoc, type TermStats } from '../src/similar.js';
import { parseArxivAtom } from '../src/sources/arxiv/parse.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import type { ParsedPaper } from '../src/record.js';
import { fixture } from './helpers/server.js';

const toDoc = (p: ParsedPaper): SimilarDoc => ({ id: p.id!, title: p.title, summary: p.summary, keywords: p.keywords });

let corpus: SimilarDoc[];
beforeAll(async () => {
  const papers: ParsedPaper[] = [
    ...parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json')).papers,
    ...parseDailyPapersApi(fixture('hf/api-daily-papers-2026-03-06.one-item.json')).papers,
    ...(await parseArxivAtom(fixture('arxiv/api-query-all-testing-2026-04-12.xml'))).papers,
    ...(await parseArxivAtom(fixture('arxiv/api-id-astro-ph-0601001-2026-05.xml'))).papers,
    ...(await parseArxivAtom(fixture('arxiv/api-id-1111.2011v2-old-format-2016.xml'))).papers,
  ];
  corpus = papers.map(toDoc);
});

// Rewording as an author revising a text would: synonyms, other inflections, sentences reordered
// and one dropped, a different title opening.
const SYNONYMS: Record<string, string> = {
  large: 'big', method: 'technique', methods: 'techniques', propose: 'introduce', approach: 'framework', show: 'demonstrate',
  results: 'findings', improve: 'enhance', improves: 'enhances', novel: 'new', significantly: 'substantially', however: 'yet',
  using: 'with', based: 'built', task: 'problem', tasks: 'problems', paper: 'work', performance: 'accuracy',
};
function rewordText(text: string): string {
  let i = 0;
  return text.replace(/[A-Za-z]+/g, (w) => {
    const lower = w.toLowerCase();
    if (SYNONYMS[lower]) return SYNONYMS[lower]!;
    i++;
    // Every third longer word changes its inflection: plural to singular, -ing to -ed, or gains a plural.
    if (i % 3 !== 0 || w.length < 6) return w;
    if (/ing$/.test(w)) return w.replace(/ing$/, 'ed');
    if (/[^s]s$/.test(w)) return w.slice(0, -1);
    if (/[a-z]$/.test(w) && !/[sxy]$/.test(w)) return w + 's';
    return w;
  });
}
function reword(doc: SimilarDoc): SimilarDoc {
  const sentences = (doc.summary ?? '').split(/(?<=[.!?])\s+(?=[A-Z])/);
  const kept = sentences.length > 3 ? sentences.slice(0, -1) : sentences;
  return {
    id: `reworded:${doc.id}`,
    title: `Revisiting ${rewordText(doc.title)}`,
    summary: rewordText(kept.reverse().join(' ')),
    keywords: doc.keywords.map(rewordText).reverse(),
  };
}

describe('the stemmer is the full-text index\'s', () => {
  it('stems every word of the fixtures, and Porter\'s own examples, as SQLite\'s porter tokenizer does', () => {
    const classic = 'caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate rate cease controll roll generalization oscillators yes eye says syzygy analogi';
    const all = new Set(words(classic + ' ' + corpus.map((d) => `${d.title} ${d.summary ?? ''} ${d.keywords.join(' ')}`).join(' ')));
    const list = [...all];
    expect(list.length).toBeGreaterThan(1500);
    const db = new Database(':memory:');
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');`);
    const insert = db.prepare('INSERT INTO t(rowid, x) VALUES (?, ?)');
    db.transaction(() => list.forEach((w, i) => insert.run(i + 1, w)))();
    const bySqlite = new Map((db.prepare('SELECT doc, term FROM v').all() as { doc: number; term: string }[]).map((r) => [list[r.doc - 1]!, r.term]));
    db.close();
    const differ = list.filter((w) => stem(w) !== bySqlite.get(w)).map((w) => `${w}: ${stem(w)} vs ${bySqlite.get(w)}`);
    expect(differ).toEqual([]);
    expect(['models', 'model', 'modeling', 'modelled'].map(stem)).toEqual(['model', 'model', 'model', 'model']);
  });

  it('drops stop words, lone characters and bare numbers, and folds case and diacritics', () => {
    expect(tokenize('We propose a Novel approach to the Résumé-parsing of 2024 LLMs, e.g. GPT-4')).toEqual(['resum', 'pars', 'llm', 'gpt']);
  });
});

describe('similar', () => {
  it('finds each paper first from a reworded copy of it it has never seen', () => {
    expect(corpus.length).toBe(26);
    const firsts = corpus.map((d) => similar(reword(d), corpus, 3)[0]?.id);
    expect(firsts).toEqual(corpus.map((d) => d.id));
  });

  it('ranks a paper\'s near-duplicate first, and says why', () => {
    const original = corpus.find((d) => d.id === '2407.21770')!;
    const copy = { ...reword(original), id: '2501.99999' };
    const withCopy = [...corpus, copy];
    const hits = similar(original, withCopy, 5);
    expect(hits[0]!.id).toBe('2501.99999');
    expect(hits).toHaveLength(5);
    expect(hits[0]!.score).toBeGreaterThan(0.5);
    expect(hits[1]!.score).toBeLessThan(hits[0]!.score / 2);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    expect(hits.map((h) => h.id)).not.toContain(original.id);
    // The shared terms are words of the paper, the title's distinctive ones among them.
    expect(hits[0]!.shared).toHaveLength(5);
    const titleWords = new Set(words(original.title));
    expect(hits[0]!.shared.some((w) => titleWords.has(w))).toBe(true);
    for (const w of hits[0]!.shared) expect(words(`${original.title} ${original.summary} ${original.keywords.join(' ')}`)).toContain(w);
  });

  it('gives the same ranking with the document counts handed in, and refuses a one-shot iterator without them', () => {
    const stats: TermStats = corpusStats(corpus);
    const target = reword(corpus[5]!);
    expect(similar(target, corpus, 4, { stats })).toEqual(similar(target, corpus, 4));
    function* once() {
      yield* corpus;
    }
    expect(() => similar(target, once(), 4)).toThrow(/one-shot/);
    expect(similar(target, once(), 4, { stats }).map((h) => h.id)).toEqual(similar(target, corpus, 4).map((h) => h.id));
  });

  it('leaves out papers sharing no term', () => {
    const alien: SimilarDoc = { id: 'x', title: 'Zqxv wplk', summary: null, keywords: [] };
    expect(similar(alien, corpus, 5)).toEqual([]);
  });
});

describe('forYou', () => {
  it('ranks the originals of the starred (reworded) papers first, each with the star it is near', () => {
    const a = corpus.find((d) => d.id === '2407.21770')!;
    const b = corpus[corpus.length - 3]!;
    const starred = [reword(a), reword(b)];
    const ranked = forYou(starred, corpus);
    expect(ranked).toHaveLength(corpus.length);
    expect(new Set(ranked.slice(0, 2).map((h) => h.id))).toEqual(new Set([a.id, b.id]));
    expect(ranked.find((h) => h.id === a.id)!.nearest).toBe(`reworded:${a.id}`);
    expect(ranked.find((h) => h.id === b.id)!.nearest).toBe(`reworded:${b.id}`);
    expect(ranked[2]!.score).toBeLessThan(ranked[1]!.score / 2);
    expect(forYou(starred, corpus, { n: 3 }).map((h) => h.id)).toEqual(ranked.slice(0, 3).map((h) => h.id));
  });

  it('leaves the starred papers out, and is empty with nothing starred', () => {
    const starred = corpus.slice(0, 2);
    const ranked = forYou(starred, corpus);
    expect(ranked.map((h) => h.id)).not.toContain(starred[0]!.id);
    expect(ranked).toHaveLength(corpus.length - 2);
    expect(forYou([], corpus)).toEqual([]);
  });
});
