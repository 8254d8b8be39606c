import { describe, it, expect } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store, SCHEMA_VERSION } from '../src/store/index.js';

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
        const store = Store.open(path);
        expect(store.handle.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        expect(store.handle.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(store.count()).toBe(13);
        expect(store.getPaper('2407.21783')).toMatchObject({ title: 'The Llama 3 Herd of Models', upvotes: 94, dailyDate: '2024-08-01' });
        expect(store.listInfo('hf')).toMatchObject({ listDate: '2024-08-01', paperCount: 13 });
        expect([...store.query({ match: '"herd"' })].map((p) => p.id)).toEqual(['2407.21783']);
        store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
