/** papers config, papers completion and papers db, as a user runs them. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import { cacheRows, runCli, tempDir } from './helpers/cli.js';
import { parsedPaper } from './helpers/papers.js';
import { SORT_KEYS } from '../src/cli/options.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());
const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { PAPERS_DB: tmp.db, PAPERS_CONFIG: tmp.config, ...env } });

const which = (cmd: string) => spawnSync('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('papers config', () => {
  it('path, set, get, unset: validated, written whole', async () => {
    expect((await run(['config', 'path'])).stdout).toBe(tmp.config + '\n');
    expect((await run(['config', 'set', 'defaults.sort', 'upvotes'])).code).toBe(0);
    expect((await run(['config', 'set', 'sources.arxiv.categories', 'cs.LG,cs.CL'])).code).toBe(0);
    expect((await run(['config', 'set', 'topics.ssm', '"state space"', 'OR', 'mamba'])).code).toBe(0);
    expect(JSON.parse(readFileSync(tmp.config, 'utf8'))).toEqual({ defaults: { sort: 'upvotes' }, sources: { arxiv: { categories: ['cs.LG', 'cs.CL'] } }, topics: { ssm: '"state space" OR mamba' } });
    expect((await run(['config', 'get', 'sources.arxiv.categories'])).stdout).toBe('cs.LG\ncs.CL\n');
    expect((await run(['config', 'get', 'topics.ssm'])).stdout).toBe('"state space" OR mamba\n');
    const unset = await run(['config', 'unset', 'defaults.sort']);
    expect(unset.code).toBe(0);
    const missing = await run(['config', 'get', 'defaults.sort']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
  });

  it('refuses what would break the file, and writes nothing', async () => {
    await run(['config', 'set', 'defaults.limit', '5']);
    const before = readFileSync(tmp.config, 'utf8');
    for (const args of [['defaults.limit', 'many'], ['defaults.sort', 'sideways'], ['topics.bad', '"unclosed'], ['defualts.limit', '3']]) {
      const r = await run(['config', 'set', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
    }
    expect((await run(['config', 'set', 'defualts.limit', '3'])).stderr).toContain('did you mean defaults.limit?');
    expect(readFileSync(tmp.config, 'utf8')).toBe(before);
  });

  it('edit runs $EDITOR on a copy and keeps it only when valid', async () => {
    const editor = join(tmp.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nprintf \'{"defaults": {"limit": 7}}\\n\' > "$1"\n');
    chmodSync(editor, 0o755);
    const ok = await run(['config', 'edit'], { EDITOR: editor, VISUAL: '' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(tmp.config, 'utf8'))).toEqual({ defaults: { limit: 7 } });
    const broken = join(tmp.dir, 'broken.sh');
    writeFileSync(broken, '#!/bin/sh\nprintf \'{"defaults": \' > "$1"\n');
    chmodSync(broken, 0o755);
    const bad = await run(['config', 'edit'], { EDITOR: broken, VISUAL: '' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not valid JSON.*the config file is unchanged \(your edit is in /);
    expect(JSON.parse(readFileSync(tmp.config, 'utf8'))).toEqual({ defaults: { limit: 7 } });
  });

  it('an invalid query in the config is a config error naming the file and topic; unknown keys warn', async () => {
    writeFileSync(tmp.config, JSON.stringify({ topics: { broken: '"unclosed' }, colour: true }));
    Store.open(tmp.db).close();
    const r = await run(['list', '--topic', 'broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the config file ${tmp.config}: topic broken`);
    expect(r.stderr).toContain('unknown key "colour"');
  });
});

describe('papers completion', () => {
  it('bash: valid syntax, registers papers, completes commands, options, choices and topics', async () => {
    writeFileSync(tmp.config, JSON.stringify({ topics: { mytopic: 'foo' } }));
    const r = await run(['completion', 'bash']);
    expect(r.code).toBe(0);
    const script = join(tmp.dir, 'papers.bash');
    writeFileSync(script, r.stdout);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const probe = (words: string[]) => {
      const out = spawnSync('bash', ['-c', `source ${script}; complete -p papers; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _papers_completion; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
      return out.stdout.split('\n');
    };
    const [registered, commands] = probe(['papers', 'to']);
    expect(registered).toBe('complete -F _papers_completion papers');
    expect(commands!.split(' ').sort()).toEqual(['today', 'topics']);
    expect(probe(['papers', 'list', '--sort', ''])[1]!.split(' ')).toEqual([...SORT_KEYS]);
    expect(probe(['papers', 'list', '--format', 't'])[1]!.split(' ').sort()).toEqual(['table', 'tsv']);
    expect(probe(['papers', 'list', '--topic', 'my'])[1]).toBe('mytopic');
    expect(probe(['papers', 'db', ''])[1]!.split(' ')).toEqual(expect.arrayContaining(['vacuum', 'check', 'prune']));
    expect(probe(['papers', 'completion', ''])[1]!.split(' ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(probe(['papers', 'fetch', '--ca'])[1]).toBe('--category');
  });

  it('zsh: compinit loads the script, which registers papers and completes choices', async () => {
    const r = await run(['completion', 'zsh']);
    expect(r.code).toBe(0);
    if (!which('zsh')) {
      console.log('skipped loading the zsh script: zsh is not installed on this machine');
      expect(r.stdout).toContain('complete -F _papers_completion papers');
      return;
    }
    const script = join(tmp.dir, 'papers.zsh');
    writeFileSync(script, r.stdout);
    // -f: no user start-up files; compinit's dump goes to the temporary home.
    const zsh = (code: string) => spawnSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d ${join(tmp.dir, 'zcompdump')}; source ${script}; ${code}`], { encoding: 'utf8', env: { ...process.env, HOME: tmp.dir } });
    const registered = zsh('print -r -- "$_comps[papers]"');
    expect(registered.stderr).toBe('');
    expect(registered.status).toBe(0);
    expect(registered.stdout.trim()).toMatch(/^_bash_complete -F _papers_completion$/);
    // the function bash runs, run by zsh (with bash's 0-based arrays, as bashcompinit runs it)
    const sort = zsh('setopt ksh_arrays; COMP_WORDS=(papers list --sort ""); COMP_CWORD=3; _papers_completion; print -r -- "${COMPREPLY[*]}"');
    expect(sort.status, sort.stderr).toBe(0);
    expect(sort.stdout.trim().split(' ')).toEqual([...SORT_KEYS]);
  });

  it('fish: valid syntax; complete -C offers commands, choices and topics', async () => {
    writeFileSync(tmp.config, JSON.stringify({ topics: { mytopic: 'foo' } }));
    const r = await run(['completion', 'fish']);
    expect(r.code).toBe(0);
    if (!which('fish')) {
      console.log('skipped loading the fish script: fish is not installed on this machine');
      expect(r.stdout).toContain('complete -c papers');
      return;
    }
    const script = join(tmp.dir, 'papers.fish');
    writeFileSync(script, r.stdout);
    const syntax = spawnSync('fish', ['-n', script], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
    const complete = (line: string) => {
      const out = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C '${line}'`], { encoding: 'utf8', env: { ...process.env, HOME: tmp.dir, XDG_CONFIG_HOME: tmp.dir } });
      expect(out.status, out.stderr).toBe(0);
      return out.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    };
    const commands = complete('papers ');
    expect(commands).toEqual(expect.arrayContaining(['today', 'fetch', 'list', 'show', 'topics', 'db', 'completion']));
    expect(complete('papers to').sort()).toEqual(['today', 'topics']);
    expect(complete('papers list --sort ').sort()).toEqual([...SORT_KEYS].sort());
    expect(complete('papers list --topic my')).toEqual(['mytopic']);
  });

  it('an unknown shell is a usage error naming the ones there are', async () => {
    const r = await run(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bash, zsh, fish');
  });
});

describe('papers db', () => {
  function fill(): void {
    const store = Store.open(tmp.db);
    store.saveList('hf', '2024-01-10', [parsedPaper({ id: '2401.00001', title: 'Old One', upvotes: 1, dailyDate: '2024-01-10' }), parsedPaper({ id: '2401.00002', title: 'Old Two', upvotes: 2, dailyDate: '2024-01-10' })], { now: '2024-01-10T08:00:00.000Z' });
    store.saveList('hf', '2024-08-01', [parsedPaper({ id: '2408.00001', title: 'New One', upvotes: 3, dailyDate: '2024-08-01' }), parsedPaper({ id: '2401.00002', title: 'Old Two', upvotes: 9, dailyDate: '2024-08-01' })], { now: '2024-08-01T08:00:00.000Z' });
    store.close();
  }

  it('check says the cache is sound; vacuum reports sizes', async () => {
    fill();
    const check = await run(['db', 'check', '--json']);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, integrity: ['ok'], foreignKeys: 0, fullText: null });
    const vacuum = await run(['db', 'vacuum']);
    expect(vacuum.code).toBe(0);
    expect(vacuum.stderr).toMatch(/^papers: compacted .* \d+(\.\d)? KB → \d+(\.\d)? KB\n$/);
  });

  it('prune removes older papers and lists, keeps a paper on a later list, and says the sizes', async () => {
    fill();
    const dry = await run(['db', 'prune', '--before', '2024-06-01', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ papers: 1, lists: 1, dryRun: true });
    expect(cacheRows(tmp.db, 'SELECT count(*) AS n FROM papers')).toEqual([{ n: 3 }]);
    const r = await run(['db', 'prune', '--before', '2024-06-01']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^papers: removed 1 paper and 1 daily list from before 2024-06-01; .* → .*\n$/);
    expect(cacheRows(tmp.db, 'SELECT id FROM papers ORDER BY id')).toEqual([{ id: '2401.00002' }, { id: '2408.00001' }]);
    expect(cacheRows(tmp.db, 'SELECT list_date FROM lists')).toEqual([{ list_date: '2024-08-01' }]);
    expect((await run(['db', 'check'])).code).toBe(0);
  });

  it('prune keeps the papers you starred, tagged or noted, and every mark', async () => {
    fill();
    const store = Store.open(tmp.db);
    store.saveList('hf', '2024-01-11', ['2401.00003', '2401.00004', '2401.00005', '2401.00006'].map((id, i) => parsedPaper({ id, title: `Old ${i}`, dailyDate: '2024-01-11' })), { now: '2024-01-11T08:00:00.000Z' });
    store.close();
    expect((await run(['star', '2401.00003'])).code).toBe(0);
    expect((await run(['tag', '2401.00004', '+keep'])).code).toBe(0);
    expect((await run(['note', '2401.00005', 'read again'])).code).toBe(0);
    expect((await run(['seen', '2401.00006', '2401.00001'])).code).toBe(0);
    expect((await run(['db', 'prune', '--before', '2024-06-01'])).code).toBe(0);
    // Seen is not keeping: 2401.00001 and 2401.00006 go, their marks stay for when they come back.
    expect(cacheRows(tmp.db, 'SELECT id FROM papers ORDER BY id').map((r) => r.id)).toEqual(['2401.00002', '2401.00003', '2401.00004', '2401.00005', '2408.00001']);
    expect(cacheRows(tmp.db, 'SELECT paper_key FROM marks ORDER BY paper_key').map((r) => r.paper_key)).toEqual(['2401.00001', '2401.00003', '2401.00004', '2401.00005', '2401.00006']);
  });

  it('never creates a cache', async () => {
    const missing = join(tmp.dir, 'none', 'x.db');
    for (const sub of [['check'], ['vacuum'], ['prune', '--before', '2024-01-01']]) {
      const r = await run(['db', ...sub, '--db', missing]);
      expect(r.code).toBe(1);
    }
    expect(existsSync(join(tmp.dir, 'none'))).toBe(false);
    expect(statSync(tmp.dir).isDirectory()).toBe(true);
  });
});
