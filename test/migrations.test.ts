import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Store, SCHEMA_VERSION } from '../src/store/index.js';
import { DAY_SPAN, dayBase } from '../src/store/rowkey.js';
import { allTopics } from '../src/topics.js';
import { queryToFts } from '../src/query.js';

const DB_FIXTURES = fileURLToPath(new URL('../fixtures/db/', import.meta.url));

describe('caches written by every older schema version migrate', () => {
  const files = readdirSync(DB_FIXTURES).filter((f) => /^cache-schema-v\d+\.db$/.test(f));

  it('keeps one fixture per released schema version', () => {
    const versions = files.map((f) => Number(/v(\d+)/.exec(f)![1])).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  for (const file of files) {
    it(`${file} opens, migrates to v${SCHEMA_VERSION} and keeps every paper`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'papers-migrate-'));
      try {
        const path = join(dir, 'papers.db');
        copyFileSync(join(DB_FIXTURES, file), path);
        // What the old file holds that no migration may change: the order rows were made in
        // (BibTeX keys follow it) and the personal marks.
        const before = new Database(path, { readonly: true });
        const madeOrder = before.prepare('SELECT id FROM papers ORDER BY rowid').pluck().all();
        const hasMarks = before.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'marks'").get() !== undefined;
        const marks = hasMarks ? before.prepare('SELECT * FROM marks ORDER BY paper_key').all() : [];
        before.close();
        const store = Store.open(path);
        expect(store.handle.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(store.handle.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(store.count()).toBe(13);
        expect(store.getPaper('2407.21783')).toMatchObject({ title: 'The Llama 3 Herd of Models', upvotes: 94, dailyDate: '2024-08-01' });
        expect(store.listInfo('hf')).toMatchObject({ listDate: '2024-08-01', paperCount: 13 });
        expect([...store.query({ match: '"herd"' })].map((p) => p.id)).toEqual(['2407.21783']);
        // Rowids follow days (and everything that refers to a paper followed its rowid).
        expect(store.handle.pragma('foreign_key_check')).toEqual([]);
        expect(() => store.handle.prepare("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
        expect(store.handle.prepare(`SELECT DISTINCT rowid / ${DAY_SPAN} FROM papers`).pluck().all()).toEqual([dayBase('2024-08-01')]);
        expect([...store.keyStubs()].map((s) => s.id)).toEqual(madeOrder);
        if (hasMarks) expect(store.handle.prepare('SELECT * FROM marks ORDER BY paper_key').all()).toEqual(marks);
        expect(store.handle.prepare("SELECT name FROM sqlite_schema WHERE name IN ('papers_daily_date', 'papers_published_at')").all()).toEqual([]);
        expect(store.listsOf('2407.21783')).toEqual([{ source: 'hf', listDate: '2024-08-01', rank: expect.any(Number) }]);
        expect(store.contentStats()).toEqual({ bySource: [{ source: 'hf', papers: 13 }], byMonth: [{ month: '2024-08', papers: 13 }], undated: 0, newest: '2024-08-01' });
        // Topic counts: every day with papers has a stamp, and what is kept (or counted) is exact.
        expect(store.handle.prepare('SELECT day FROM count_stamps ORDER BY day').pluck().all()).toEqual([dayBase('2024-08-01')]);
        const topics = Object.values(allTopics({ topics: {} } as never)).map((t) => queryToFts(t.query));
        const full = topics.map((q) => store.countMatching(q));
        expect(full.some((n) => n > 0)).toBe(true);
        for (let run = 0; run < 2; run++) expect(store.topicCounts(topics, '2024-07-20')).toEqual({ all: full, since: full });
        store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
