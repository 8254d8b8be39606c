/**
 * Watches and digests end to end against a loopback Hugging Face: sync records each watch's
 * matches among what it added or updated; digests deliver each match exactly once, only when
 * written whole; a failing --exec delivers nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';
import { answerDailyPapers, buildArchive, synthItem } from './helpers/hf-archive.mjs';
import { addDays, todayUtc } from '../src/dates.js';

const TODAY = todayUtc();
const FIRST = addDays(TODAY, -7);
let server: TestServer;
let tmp: ReturnType<typeof tempDir>;
let archive: Map<string, Record<string, any>[]>;
const env = () => ({ PAPERS_HF_URL: server.url, PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config });
const papers = (...args: string[]) => runCli(args, { env: env(), timeoutMs: 30_000 });

/** The ids of the archive's items in [from, to] whose title has the word llama (what title:llama matches). */
const llamaIds = (items: Record<string, any>[]) => items.filter((i) => /\bllamas?\b/i.test(i.paper.title)).map((i) => i.paper.id as string).sort();
const itemsIn = (from: string, to: string) => [...archive.entries()].filter(([d]) => d >= from && d <= to).flatMap(([, items]) => items);
const digestIds = (stdout: string, watch = 'llm') => (JSON.parse(stdout).watches.find((w: { name: string }) => w.name === watch)?.papers ?? []).map((p: { id: string }) => p.id).sort();

beforeEach(async () => {
  server = await startServer();
  tmp = tempDir();
  archive = buildArchive(addDays(TODAY, -30), TODAY, { perDay: () => 13 });
  server.route('/api/daily_papers', (req) => answerDailyPapers(archive, req.query, req.headers as Record<string, string>));
});
afterEach(async () => {
  await server.close();
  tmp.cleanup();
});

describe('watches and digests', () => {
  it('a sync followed by two digests delivers each matching paper exactly once; later syncs deliver only what is new', async () => {
    expect((await papers('watch', 'add', 'llm', 'title:llama')).code).toBe(0);
    expect((await papers('watch', 'add', 'popular', 'model', '--min-upvotes', '1000000')).code).toBe(0);
    const dup = await papers('watch', 'add', 'llm', 'x');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^papers: a watch named llm exists/);
    expect((await papers('watch', 'add', 'bad', 'title:"oops')).code).toBe(2);

    const sync = await papers('sync');
    expect(sync.code).toBe(0);
    const first = llamaIds(itemsIn(FIRST, TODAY));
    expect(first.length).toBeGreaterThan(0);
    expect(sync.stderr).toContain(`watch llm: ${first.length} new match${first.length === 1 ? '' : 'es'}`);

    const list = JSON.parse((await papers('watch', 'list', '--json')).stdout);
    expect(list.map((w: { name: string; matches: number; pending: number }) => [w.name, w.matches, w.pending])).toEqual([['llm', first.length, first.length], ['popular', 0, 0]]);

    const d1 = await papers('digest', '--format', 'json');
    expect(d1.code).toBe(0);
    expect(digestIds(d1.stdout)).toEqual(first);
    expect(digestIds(d1.stdout, 'popular')).toEqual([]);
    const d2 = await papers('digest', '--format', 'json');
    expect(d2.code).toBe(0);
    expect(digestIds(d2.stdout)).toEqual([]);
    expect(d2.stderr).toContain('nothing new');
    // an empty Markdown digest prints nothing (so `mail -E` sends nothing)
    expect((await papers('digest')).stdout).toBe('');

    // New papers on today's list, and the old ones seen again with more upvotes (updated).
    const today = archive.get(TODAY)!;
    for (const item of today) item.paper.upvotes = (item.paper.upvotes ?? 0) + 7;
    for (let i = 13; i < 26; i++) today.push(synthItem(TODAY, i));
    expect((await papers('sync')).code).toBe(0);
    const fresh = llamaIds(today.slice(13));
    expect(fresh.length).toBeGreaterThan(0);

    // A failing --exec delivers nothing, and says so.
    const failed = await papers('digest', '--format', 'json', '--exec', 'cat > /dev/null; exit 3');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^papers: the --exec command failed \(exit 3\) \(nothing was marked delivered/m);
    // --exec gets the digest on stdin; its exit 0 delivers.
    const out = join(tmp.dir, 'mail.json');
    const sent = await papers('digest', '--format', 'json', '--exec', `cat > '${out}'`);
    expect(sent.code).toBe(0);
    expect(digestIds(readFileSync(out, 'utf8'))).toEqual(fresh);
    expect(digestIds((await papers('digest', '--format', 'json')).stdout)).toEqual([]);

    // --since re-sends every match of those days, delivered before or not.
    const again = await papers('digest', '--format', 'json', '--since', TODAY, '--watch', 'llm');
    expect(digestIds(again.stdout)).toEqual(llamaIds(today));
    const unknown = await papers('digest', '--watch', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^papers: no watch named nope \(watches: llm, popular\)/);
  }, 180_000);

  it('--output writes the file whole and delivers; html, md and atom carry the papers; watch remove forgets the matches', async () => {
    expect((await papers('watch', 'add', 'llm', 'title:llama')).code).toBe(0);
    expect((await papers('sync')).code).toBe(0);
    const expected = llamaIds(itemsIn(FIRST, TODAY));
    const md = await papers('digest', '--format', 'md', '--output', join(tmp.dir, 'missing-dir', 'd.md'));
    expect(md.code).toBe(1); // cannot write: nothing delivered
    const file = join(tmp.dir, 'digest.html');
    const html = await papers('digest', '--format', 'html', '--output', file);
    expect(html.code).toBe(0);
    expect(html.stdout).toBe('');
    const page = readFileSync(file, 'utf8');
    for (const id of expected) expect(page).toContain(id);
    expect(page).not.toMatch(/<script/i);
    expect((await papers('digest', '--format', 'json')).stdout).toMatch(/"papers": \[\] \}/);
    const atom = await papers('digest', '--format', 'atom', '--since', FIRST);
    expect(atom.code).toBe(0);
    expect(atom.stdout.match(/<entry>/g)?.length).toBe(expected.length);
    const show = JSON.parse((await papers('watch', 'show', 'llm', '--json')).stdout);
    expect(show).toMatchObject({ name: 'llm', query: 'title:llama', matches: expected.length, pending: 0 });
    expect((await papers('watch', 'remove', 'llm')).code).toBe(0);
    expect(JSON.parse((await papers('watch', 'list', '--json')).stdout)).toEqual([]);
    expect((await papers('watch', 'remove', 'llm')).code).toBe(1);
  }, 120_000);
});
