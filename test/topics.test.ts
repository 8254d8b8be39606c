/** papers topics: the built-in set, counts, show, add and remove editing the config atomically. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import { emptyPaper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { BUILTIN_TOPICS } from '../src/topics.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixture } from './helpers/server.js';

const tmp = tempDir();
let n = 0;
/** A fresh config path per test (a directory that does not exist yet). */
const freshEnv = () => ({ PAPERS_DB: tmp.db, PAPERS_CONFIG: join(tmp.dir, `cfg${++n}`, 'config.json') });

beforeAll(() => {
  const store = Store.open(tmp.db);
  const listing = parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json'));
  store.saveList('hf', listing.date!, listing.papers);
  store.upsertPapers([
    { ...emptyPaper('A New Optimizer Beats AdamW', 'arxiv'), id: '2601.00001', summary: 'Stochastic gradient methods revisited.', categories: ['math.OC'] },
    { ...emptyPaper('Quantized LoRA for Small Devices', 'hf'), id: '2601.00002', summary: 'We fine-tune with low-rank adapters.', authors: ['Lora Aroyo'] },
    { ...emptyPaper('Crowd Annotation of Toxic Comments', 'hf'), id: '2601.00003', summary: 'A study of raters.', authors: ['Lora Aroyo', 'Moe Gan'] },
    { ...emptyPaper('Grasping with Legs', 'arxiv'), id: '2601.00004', summary: 'Quadrupeds pick things up.', categories: ['cs.RO'] },
  ]);
  store.close();
});
afterAll(() => tmp.cleanup());

const listIds = async (env: Record<string, string>, ...args: string[]) => {
  const r = await runCli(['list', '--json', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id).sort();
};

describe('built-in topics', () => {
  it('at least a dozen areas, each a query of the language', () => {
    expect(Object.keys(BUILTIN_TOPICS).length).toBeGreaterThanOrEqual(12);
    for (const name of ['llm', 'agents', 'reasoning', 'diffusion', 'vision', 'multimodal', 'speech', 'rl', 'robotics', 'optimization', 'efficiency', 'safety']) expect(BUILTIN_TOPICS).toHaveProperty(name);
  });

  it('find their papers, and not the papers of authors whose names are also words', async () => {
    const env = freshEnv();
    expect(await listIds(env, '--topic', 'optimization')).toEqual(['2601.00001']); // not Llama 3 (Adam Kelsey is an author)
    expect(await listIds(env, '--topic', 'efficiency')).toEqual(['2407.21770', '2601.00002']); // not 2601.00003 (Lora, Moe)
    expect(await listIds(env, '--topic', 'robotics')).toEqual(['2404.01300', '2407.21781', '2601.00004']); // NeRF-MAE: "…computer vision and robotics"
    expect(await listIds(env, '--topic', 'speech')).toEqual(['2407.21646', '2407.21721', '2407.21783']); // not ShieldGemma's "hate speech"
    expect(await listIds(env, '--topic', '3d')).toEqual(['2404.01300', '2407.20229', '2407.21686']);
    expect(await listIds(env, '--topic', 'video')).toEqual(['2407.21475', '2407.21705']);
    expect(await listIds(env, '--topic', 'safety')).toContain('2407.21772'); // ShieldGemma
    expect(await listIds(env, '--topic', 'safety')).toContain('2601.00003'); // toxic
    // repeatable: any of them
    expect(await listIds(env, '--topic', 'video', '--topic', 'robotics')).toEqual(['2404.01300', '2407.21475', '2407.21705', '2407.21781', '2601.00004']);
  });
});

describe('papers topics', () => {
  it('lists every topic with how many cached papers it matches', async () => {
    const env = freshEnv();
    mkdirSync(join(env.PAPERS_CONFIG, '..'), { recursive: true });
    writeFileSync(env.PAPERS_CONFIG, JSON.stringify({ topics: { mine: 'title:grasping OR title:quantized', rl: 'title:humanoid' } }));
    const rows = JSON.parse((await runCli(['topics', '--json'], { env })).stdout) as { name: string; query: string; papers: number; builtin: boolean; overridden: boolean }[];
    expect(rows.map((r) => r.name)).toEqual([...Object.keys(BUILTIN_TOPICS), 'mine'].sort((a, b) => a.localeCompare(b)));
    expect(rows.find((r) => r.name === 'mine')).toEqual({ name: 'mine', query: 'title:grasping OR title:quantized', builtin: false, overridden: false, papers: 2 });
    expect(rows.find((r) => r.name === 'rl')).toEqual({ name: 'rl', query: 'title:humanoid', builtin: false, overridden: true, papers: 1 });
    expect(rows.find((r) => r.name === 'robotics')).toMatchObject({ builtin: true, papers: 3 });
    const table = await runCli(['topics'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^mine +2 {2}yours$/m);
    expect(table.stdout).toMatch(/^rl +1 {2}yours \(replaces built-in\)$/m);
    expect(table.stdout).toMatch(/^robotics +3 {2}built-in$/m);
  });

  it('show prints the query; an unknown name is exit 2 naming the known ones', async () => {
    const env = freshEnv();
    const r = await runCli(['topics', 'show', 'agents'], { env });
    expect(r.stdout).toBe(`agents (built-in)\n${BUILTIN_TOPICS.agents}\n`);
    expect(JSON.parse((await runCli(['topics', 'show', 'agents', '--json'], { env })).stdout)).toEqual({ name: 'agents', query: BUILTIN_TOPICS.agents, builtin: true, overridden: false });
    const bad = await runCli(['topics', 'show', 'nope'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^papers: unknown topic 'nope' \(known topics: 3d, agents, .*video, vision\)\n$/);
  });

  it('add validates first, creates the config, keeps every other key, and replaces a built-in', async () => {
    const env = freshEnv();
    const bad = await runCli(['topics', 'add', 'x', 'title:"oops'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('papers: topic x: unbalanced quote at column 7: "oops (words are ANDed; use "quotes", OR, NOT or -word, (groups), title: abstract: author: kw: cat:)\n');
    expect(existsSync(env.PAPERS_CONFIG)).toBe(false); // nothing written

    expect((await runCli(['topics', 'add', 'bad name!', 'x'], { env })).code).toBe(2);
    expect((await runCli(['topics', 'add', 'x', '^'], { env })).code).toBe(2);

    const ok = await runCli(['topics', 'add', 'ssm', '"state space"', 'OR', 'mamba'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe(`papers: topic ssm saved in ${env.PAPERS_CONFIG}\n`);
    expect(JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'))).toEqual({ topics: { ssm: '"state space" OR mamba' } });

    // a query that starts with an exclusion is a query, not an unknown option
    expect((await runCli(['topics', 'add', 'nosurvey', '-survey', 'title:agents'], { env })).code).toBe(0);
    expect(JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8')).topics.nosurvey).toBe('-survey title:agents');

    const other = { sources: { arxiv: { categories: ['cs.LG'] } }, defaults: { limit: 50 }, topics: { ssm: 'mamba' } };
    writeFileSync(env.PAPERS_CONFIG, JSON.stringify(other, null, 2));
    const replace = await runCli(['topics', 'add', 'robotics', 'title:grasping'], { env });
    expect(replace.stderr).toMatch(/\(it replaces the built-in one\)\n$/);
    expect(JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'))).toEqual({ ...other, topics: { ssm: 'mamba', robotics: 'title:grasping' } });
    expect(await listIds(env, '--topic', 'robotics')).toEqual(['2601.00004']);
    // no temporary file is left beside the config
    expect(readdirSync(join(env.PAPERS_CONFIG, '..'))).toEqual(['config.json']);
  });

  it('remove: a user topic goes (a replaced built-in applies again); a built-in cannot be removed', async () => {
    const env = freshEnv();
    mkdirSync(join(env.PAPERS_CONFIG, '..'), { recursive: true });
    writeFileSync(env.PAPERS_CONFIG, JSON.stringify({ defaults: { limit: 5 }, topics: { robotics: 'title:grasping', mine: 'x' } }));
    const r = await runCli(['topics', 'remove', 'robotics'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(the built-in one applies again\)\n$/);
    expect(JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'))).toEqual({ defaults: { limit: 5 }, topics: { mine: 'x' } });
    expect(await listIds(env, '--topic', 'robotics')).toEqual(['2404.01300', '2407.21781', '2601.00004']);

    const builtin = await runCli(['topics', 'remove', 'llm'], { env });
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toBe("papers: 'llm' is a built-in topic and cannot be removed (papers topics add llm <query> replaces it)\n");
    const unknown = await runCli(['topics', 'remove', 'nope'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^papers: unknown topic 'nope'/);
    expect(JSON.parse(readFileSync(env.PAPERS_CONFIG, 'utf8'))).toEqual({ defaults: { limit: 5 }, topics: { mine: 'x' } });
  });

  it('a broken config is named and left exactly as it was, by add, remove and list', async () => {
    const env = freshEnv();
    mkdirSync(join(env.PAPERS_CONFIG, '..'), { recursive: true });
    const broken = '{ "topics": { "a": "x" },\n  oops }';
    writeFileSync(env.PAPERS_CONFIG, broken);
    for (const args of [['topics', 'add', 'y', 'z'], ['topics', 'remove', 'a'], ['topics'], ['list', '--topic', 'a']]) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^papers: the config file .*config\.json is not valid JSON at line 2, column \d+ \(fix the file or move it away; papers will not overwrite it\)\n$/);
    }
    expect(readFileSync(env.PAPERS_CONFIG, 'utf8')).toBe(broken);
    expect(readdirSync(join(env.PAPERS_CONFIG, '..'))).toEqual(['config.json']);
  });

  it('a topic in the config whose query is broken is a config error naming the file and the topic', async () => {
    const env = freshEnv();
    mkdirSync(join(env.PAPERS_CONFIG, '..'), { recursive: true });
    writeFileSync(env.PAPERS_CONFIG, JSON.stringify({ topics: { broken: '(a OR' } }));
    const r = await runCli(['list', '--topic', 'broken'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: the config file .*config\.json: topic broken: OR needs a term after it at column 6/);
  });
});
