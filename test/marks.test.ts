/**
 * Personal marks as a user sees them: the mark commands, the filters and query terms (exact id
 * sets, inside OR and NOT too), hidden papers left out, marks in every record, surviving a
 * re-fetch, a migration of an old cache and an export/import round trip.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheRows, runCli, tempDir } from './helpers/cli.js';
import { fixturePath } from './helpers/server.js';

const LIST = fixturePath('hf/api-daily-papers-2024-08-01.derived.json');
let tmp: ReturnType<typeof tempDir>;
const env = () => ({ PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, PAPERS_HF_URL: 'http://127.0.0.1:9' });
const papers = (...args: string[]) => runCli(args, { env: env() });
const ids = async (...args: string[]) => {
  const r = await papers('list', '--json', ...args);
  expect(r.stderr.replace(/^papers: no papers match\n$/, '')).toBe('');
  return (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id).sort();
};

let all: string[];
const [A, B, C, D] = ['2407.21783', '2407.21705', '2407.21770', '2407.21772'];
beforeEach(async () => {
  tmp = tempDir();
  expect((await papers('import', LIST)).code).toBe(0);
  all = await ids();
  expect(all).toHaveLength(13);
  expect(all).toEqual(expect.arrayContaining([A, B, C, D]));
});
afterEach(() => tmp.cleanup());

describe('mark commands', () => {
  it('star, hide, seen, tag and note set exactly the papers named, and the record shows them', async () => {
    expect((await papers('star', A, `https://huggingface.co/papers/${B}`)).code).toBe(0);
    expect((await papers('seen', A, C)).code).toBe(0);
    expect((await papers('hide', D)).code).toBe(0);
    expect((await papers('tag', A, C, '+RL', '+to-read')).code).toBe(0);
    expect((await papers('tag', C, '-to-read')).code).toBe(0);
    const note = await papers('note', A, 'read', 'section', '4');
    expect(note.code).toBe(0);

    expect(await ids('--starred')).toEqual([A, B].sort());
    expect(await ids('--unseen')).toEqual(all.filter((i) => ![A, C, D].includes(i)));
    expect(await ids('--tag', 'rl')).toEqual([A, C].sort());
    expect(await ids('--tag', 'to-read')).toEqual([A]);
    expect(await ids('--hidden')).toEqual([D]);
    // hidden papers are left out unless asked
    expect(await ids()).toEqual(all.filter((i) => i !== D));

    const rec = JSON.parse((await papers('list', '--json', '-q', `is:starred`)).stdout).find((p: { id: string }) => p.id === A);
    expect(rec).toMatchObject({ seen: true, starred: true, hidden: false, tags: ['rl', 'to-read'], note: 'read section 4' });
    const other = JSON.parse((await papers('list', '--json')).stdout).find((p: { id: string }) => p.id === B);
    expect(other).toMatchObject({ seen: false, starred: true, hidden: false, tags: [], note: null });
    const jsonl = (await papers('list', '--jsonl', '-q', 'has:note')).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl.map((p) => [p.id, p.note])).toEqual([[A, 'read section 4']]);
    const tsv = (await papers('list', '--format', 'tsv', '--fields', 'id,seen,starred,hidden,tags,note', '--hidden')).stdout;
    expect(tsv).toBe(`id\tseen\tstarred\thidden\ttags\tnote\n${D}\tfalse\tfalse\ttrue\t\t\n`);
    expect((await papers('note', A)).stdout).toBe('read section 4\n');
    const md = (await papers('list', '--format', 'md', '-q', 'is:starred')).stdout;
    expect(md).toMatch(/The Llama 3 Herd of Models.*★ starred · \\?#rl \\?#to-read\n(.*\n)*  Note: read section 4\n/);
  }, 120_000);

  it('unstar, unhide, unseen and note --clear undo them', async () => {
    await papers('star', A, B);
    await papers('seen', A, C);
    await papers('hide', D);
    await papers('note', A, 'x');
    expect((await papers('unstar', B)).code).toBe(0);
    expect((await papers('unhide', D)).code).toBe(0);
    expect((await papers('unseen', C)).code).toBe(0);
    expect((await papers('note', A, '--clear')).code).toBe(0);
    expect(await ids('--starred')).toEqual([A]);
    expect(await ids('--hidden')).toEqual([]);
    expect(await ids('--unseen')).toEqual(all.filter((i) => i !== A));
    expect(await ids('-q', 'has:note')).toEqual([]);
  }, 60_000);

  it('an unknown id is named, exit 1, and nothing is changed', async () => {
    const r = await papers('star', A, '2501.00001', 'not-a-paper');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('papers: not in the cache: 2501.00001, not-a-paper (fetch them first (papers fetch <id>); nothing was changed)\n');
    expect(await ids('--starred')).toEqual([]);
    expect((await papers('tag', '2501.00001', '+x')).code).toBe(1);
    expect((await papers('note', '2501.00001', 'x')).code).toBe(1);
  });

  it('note --edit runs $EDITOR on the note', async () => {
    await papers('note', A, 'first');
    const editor = join(tmp.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nprintf "%s\\nedited\\n" "$(cat "$1")" > "$1"\n', { mode: 0o755 });
    const r = await runCli(['note', A, '--edit'], { env: { ...env(), EDITOR: editor, VISUAL: undefined } });
    expect(r.code).toBe(0);
    expect((await papers('note', A)).stdout).toBe('first\nedited\n');
    const failing = await runCli(['note', A, '--edit'], { env: { ...env(), EDITOR: 'false', VISUAL: undefined } });
    expect(failing.code).toBe(1);
    expect((await papers('note', A)).stdout).toBe('first\nedited\n');
  });
});

describe('the query language marks terms', () => {
  beforeEach(async () => {
    await papers('star', A, B);
    await papers('seen', B, C);
    await papers('tag', C, D, '+x');
    await papers('note', D, 'n');
    await papers('hide', B);
  });

  it('is:, tag: and has: give exact id sets, alone, combined with words, inside OR and NOT', async () => {
    const video = await ids('-q', 'video');
    expect(video.length).toBeGreaterThan(0);
    expect(await ids('-q', 'is:starred')).toEqual([A]); // B is hidden: left out
    expect(await ids('-q', 'is:starred is:hidden')).toEqual([B]);
    expect(await ids('-q', 'is:hidden')).toEqual([B]);
    expect(await ids('-q', 'is:seen')).toEqual([C]);
    expect(await ids('-q', 'tag:x')).toEqual([C, D].sort());
    expect(await ids('-q', 'TAG:X')).toEqual([C, D].sort());
    expect(await ids('-q', 'has:note')).toEqual([D]);
    expect(await ids('-q', 'is:starred OR tag:x')).toEqual([A, C, D].sort());
    expect(await ids('-q', '-is:starred')).toEqual(all.filter((i) => ![A, B].includes(i)));
    expect(await ids('-q', 'NOT (tag:x OR is:seen)')).toEqual(all.filter((i) => ![B, C, D].includes(i)));
    expect(await ids('-q', 'video OR is:starred')).toEqual([...new Set([...video.filter((i) => i !== B), A])].sort());
    expect(await ids('-q', 'video -is:starred')).toEqual(video.filter((i) => ![A, B].includes(i)));
    expect(await ids('-q', '(video OR tag:x) -has:note')).toEqual([...new Set([...video, C])].filter((i) => ![B, D].includes(i)).sort());
    expect(await ids('-q', 'tag:nope')).toEqual([]);
    // a topic ANDed with a marks query
    expect(await ids('-q', 'tag:x', '--starred')).toEqual([]);
  }, 120_000);

  it('a paper without an id is marked by its title: left out when hidden, found by the filters and terms, under both orders', async () => {
    // A record of a paper known only by its title, sharing words with B (hidden) and others.
    const rec = JSON.parse((await papers('show', A, '--json')).stdout) as Record<string, unknown>;
    const title = 'A Title Only Paper About Video Diffusion';
    const file = join(tmp.dir, 'title-only.jsonl');
    writeFileSync(file, JSON.stringify({ ...rec, id: null, title, url: null, arxivUrl: null, pdfUrl: null }) + '\n');
    expect((await papers('import', file)).code).toBe(0);
    const titled = async (...args: string[]) => {
      const r = await papers('list', '--json', ...args);
      return (JSON.parse(r.stdout || '[]') as { id: string | null; title: string }[]).map((p) => p.id ?? p.title).sort();
    };
    const video = await titled('-q', 'video');
    expect(video).toContain(title);
    expect((await papers('hide', title)).code).toBe(0);
    const shown = video.filter((k) => k !== title);
    for (const sort of ['date', 'relevance']) {
      expect(await titled('-q', 'video', '--sort', sort)).toEqual(shown);
      expect(await titled('-q', 'video', '--sort', sort, '-n', '50')).toEqual(shown);
      // B, hidden before, is a video paper too (Tora).
      expect(await titled('-q', 'video', '--hidden', '--sort', sort, '-n', '50')).toEqual([B, title].sort());
    }
    expect(await titled('-q', 'is:hidden')).toEqual([B, title].sort());
    expect(await titled('--hidden')).toEqual([B, title].sort());
    expect(await titled()).not.toContain(title);
    expect((await papers('star', title)).code).toBe(0);
    expect(await titled('--starred', '--hidden')).toEqual([B, title].sort());
    // Ranked by relevance the filters are sets of rowids; newest first, a lookup per row: the same papers.
    for (const sort of ['date', 'relevance']) {
      expect(await titled('-q', 'video', '--starred', '--hidden', '--sort', sort)).toEqual([B, title].sort());
      expect(await titled('-q', 'video', '--starred', '--sort', sort)).toEqual([A]); // A's abstract names video too
      expect(await titled('-q', 'video', '--unseen', '--sort', sort, '-n', '50')).toEqual(shown.filter((k) => k !== C));
    }
    expect(await titled('-q', 'video is:starred is:hidden', '--sort', 'relevance')).toEqual([B, title].sort());
  }, 120_000);

  it('a wrong mark term is a usage error pointing at it', async () => {
    const r = await papers('list', '-q', 'is:loved');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^papers: --query: unknown mark 'is:loved'.* at column 1/);
    expect((await papers('list', '-q', 'title:is:starred')).code).toBe(2);
    expect((await papers('list', '-q', 'tag:')).code).toBe(2);
  });
});

describe('marks are kept', () => {
  it('a re-fetch of the same papers (with changed counts) leaves every mark as it was', async () => {
    await papers('star', A);
    await papers('tag', B, '+keep');
    await papers('note', C, 'mine');
    const before = cacheRows(tmp.db, 'SELECT * FROM marks ORDER BY paper_key');
    const text = (await import('node:fs')).readFileSync(LIST, 'utf8').replace(/"upvotes":\s*(\d+)/g, (_m, n) => `"upvotes": ${Number(n) + 5}`);
    const changed = join(tmp.dir, 'again.json');
    writeFileSync(changed, text);
    const r = await papers('import', changed);
    expect(r.stderr).toMatch(/13 updated/);
    expect(cacheRows(tmp.db, 'SELECT * FROM marks ORDER BY paper_key')).toEqual(before);
    expect(await ids('--starred')).toEqual([A]);
    expect(await ids('--tag', 'keep')).toEqual([B]);
    expect(await ids('-q', 'has:note')).toEqual([C]);
  });

  it('an old cache (schema 3) migrates and takes marks; the schema-6 cache (the first with marks) keeps its marks through every later migration', async () => {
    const old = join(tmp.dir, 'old.db');
    copyFileSync(fixturePath('db/cache-schema-v3.db'), old);
    const run = (...args: string[]) => runCli([...args, '--db', old], { env: env() });
    expect((await run('star', A)).code).toBe(0);
    expect(JSON.parse((await run('list', '--json', '--starred')).stdout).map((p: { id: string }) => p.id)).toEqual([A]);

    const v6 = join(tmp.dir, 'v6.db');
    copyFileSync(fixturePath('db/cache-schema-v6.db'), v6);
    const list = JSON.parse((await runCli(['list', '--json', '--db', v6], { env: env() })).stdout) as { id: string; starred: boolean; seen: boolean; tags: string[]; note: string | null }[];
    expect(list).toHaveLength(12); // 2407.21705 is hidden
    expect(list.find((p) => p.id === A)).toMatchObject({ starred: true, seen: true, tags: ['llm'], note: 'kept since schema 6' });
    expect(JSON.parse((await runCli(['list', '--json', '--hidden', '--db', v6], { env: env() })).stdout).map((p: { id: string }) => p.id)).toEqual([B]);
    expect((await runCli(['watch', 'list', '--json', '--db', v6], { env: env() })).stdout).toMatch(/"name": "video"/);
  });

  it('marks export | marks import into a new cache gives the same marks, and importing twice changes nothing', { timeout: 60_000 }, async () => {
    await papers('star', A, B);
    await papers('hide', D);
    await papers('tag', C, '+a', '+b');
    await papers('note', C, 'line one\nline "two"');
    expect((await papers('watch', 'add', 'vid', 'video', '-survey', '--min-upvotes', '3')).code).toBe(0);
    const exported = await papers('marks', 'export');
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data.marks.map((m: { id: string }) => m.id)).toEqual([B, A, C, D].sort());
    expect(data.watches).toEqual([{ name: 'vid', query: 'video -survey', minUpvotes: 3 }]);

    const other = tempDir();
    try {
      const env2 = { PAPERS_DB: other.db, PAPERS_CONFIG: other.config };
      // marks arrive before the papers do: they apply once the papers are fetched
      const imp = await runCli(['marks', 'import', '-'], { env: env2, input: exported.stdout });
      expect(imp.code).toBe(0);
      expect((await runCli(['import', LIST], { env: env2 })).code).toBe(0);
      const again = await runCli(['marks', 'export'], { env: env2 });
      const strip = (s: string) => JSON.parse(s).marks.map(({ updatedAt: _u, ...m }: Record<string, unknown>) => m);
      expect(strip(again.stdout)).toEqual(strip(exported.stdout));
      expect(JSON.parse(again.stdout).watches).toEqual(data.watches);
      expect((await runCli(['marks', 'import', '-'], { env: env2, input: exported.stdout })).code).toBe(0);
      expect(strip((await runCli(['marks', 'export'], { env: env2 })).stdout)).toEqual(strip(exported.stdout));
      const list2 = JSON.parse((await runCli(['list', '--json', '-q', 'is:starred OR tag:a'], { env: env2 })).stdout).map((p: { id: string }) => p.id).sort();
      expect(list2).toEqual([A, B, C].sort());
    } finally {
      other.cleanup();
    }
    const broken = await runCli(['marks', 'import', '-'], { env: env(), input: '{"marks": [{"id": "../../etc"}]}' });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^papers: not a marks export: entry 1: "id" is not an arXiv id/);
  });

  it('read-only commands on a missing cache create nothing', async () => {
    const missing = join(tmp.dir, 'none', 'p.db');
    for (const args of [['marks', 'export'], ['similar', A], ['digest'], ['watch', 'list'], ['star', A]]) {
      const r = await runCli([...args, '--db', missing], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no cache at ${missing}`);
    }
    expect((await import('node:fs')).existsSync(join(tmp.dir, 'none'))).toBe(false);
  });
});

describe('today and the unseen mark', () => {
  it('today --mark-seen marks exactly what it printed; the config makes it the default; --no-mark-seen overrides it', async () => {
    const printed = JSON.parse((await papers('today', '--offline', '--json', '-n', '3', '--mark-seen')).stdout).map((p: { id: string }) => p.id).sort();
    expect(printed).toHaveLength(3);
    expect(await ids('-q', 'is:seen')).toEqual(printed);
    // a filter and the unseen ones only
    const next = JSON.parse((await papers('today', '--offline', '--json', '--unseen', '-n', '2')).stdout).map((p: { id: string }) => p.id);
    expect(next.filter((i: string) => printed.includes(i))).toEqual([]);
    expect(await ids('-q', 'is:seen')).toEqual(printed);
    writeFileSync(tmp.config, JSON.stringify({ defaults: { markSeen: true } }));
    expect((await papers('today', '--offline', '--json', '--no-mark-seen')).code).toBe(0);
    expect(await ids('-q', 'is:seen')).toEqual(printed);
    expect((await papers('today', '--offline', '--json', '--starred')).stdout).toBe('[]\n');
    expect(await ids('-q', 'is:seen')).toEqual(printed);
    expect((await papers('today', '--offline', '--json')).code).toBe(0);
    expect(await ids('--unseen')).toEqual([]);
    writeFileSync(tmp.config, JSON.stringify({ defaults: { markSeen: 'yes' } }));
    expect((await papers('today', '--offline')).stderr).toMatch(/"defaults.markSeen" must be true or false/);
  }, 120_000);

  it('the table marks unseen papers with a dot when coloured, and never in a pipe', async () => {
    await papers('seen', A);
    const coloured = (await runCli(['list', '-q', 'llama'], { env: { ...env(), FORCE_COLOR: '1' } })).stdout;
    const line = (s: string, words: RegExp) => s.split('\n').find((l) => words.test(l)) ?? '';
    expect(line(coloured, /Llama 3 Herd/)).not.toContain('•');
    expect(coloured.split('\n').filter((l) => l.includes('•')).length).toBeGreaterThan(0);
    const piped = (await papers('list')).stdout;
    expect(piped).not.toContain('•');
  }, 60_000);
});
