/** Files that are not what they should be: a clear error naming the file, and nothing overwritten. */
import { describe, it, expect, afterEach } from 'vitest';
import { cpSync, readFileSync, writeFileSync, existsSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers/cli.js';
import { fixturePath } from './helpers/server.js';
import { Store } from '../src/store/index.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function tmp() {
  const d = tempDir();
  dirs.push(d);
  return d;
}

describe('files', () => {
  it('a damaged code cache beside the bundle is ignored: papers still runs', () => {
    // bin/ runs ../dist/papers.cjs with V8's cache dist/papers.cjs.cache (made by the build).
    const t = tmp();
    const root = fileURLToPath(new URL('../', import.meta.url));
    cpSync(join(root, 'bin'), join(t.dir, 'bin'), { recursive: true });
    cpSync(join(root, 'dist'), join(t.dir, 'dist'), { recursive: true, preserveTimestamps: true });
    cpSync(join(root, 'package.json'), join(t.dir, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(t.dir, 'node_modules'));
    expect(existsSync(join(t.dir, 'dist', 'papers.cjs.cache'))).toBe(true);
    writeFileSync(join(t.dir, 'dist', 'papers.cjs.cache'), Buffer.alloc(90_000, 7));
    Store.open(t.db).close();
    const r = spawnSync(process.execPath, [join(t.dir, 'bin', 'papers.js'), 'list', '--json'], { encoding: 'utf8', env: { ...process.env, PAPERS_DB: t.db, PAPERS_CONFIG: t.config } });
    expect(r.stderr).toMatch(/the cache is empty/);
    expect(r.stdout).toBe('[]\n');
    expect(r.status).toBe(0);
  });

  it('a corrupt config is an error naming the file and line, and is never overwritten', async () => {
    const t = tmp();
    const broken = '{\n  "topics": {\n    "agents": "agent OR agentic",\n  }\n}\n';
    writeFileSync(t.config, broken);
    const r = await runCli(['sync', '--retries', '0', '--timeout', '1'], { env: { PAPERS_CONFIG: t.config, PAPERS_DB: t.db, PAPERS_HF_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`papers: the config file ${t.config} is not valid JSON at line 4, column 3 (fix the file or move it away; papers will not overwrite it)\n`);
    expect(readFileSync(t.config, 'utf8')).toBe(broken);
  });

  it('a command that writes creates a cache path in a missing directory', async () => {
    const t = tmp();
    const db = join(t.dir, 'a', 'b', 'c', 'papers.db');
    const r = await runCli(['import', fixturePath('hf/api-daily-papers-2026-03-06.one-item.json')], { env: { PAPERS_DB: db } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  it('a cache path that cannot be created is a clear error (exit 1)', async () => {
    for (const db of ['/dev/null/papers/papers.db', '/proc/papers.db']) {
      const r = await runCli(['import', fixturePath('hf/api-daily-papers-2026-03-06.one-item.json'), '--db', db]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^papers: cannot open the cache ${db}: .+ \\(check the path and its permissions, or pass --db <path>\\)\\n$`));
    }
  });

  it('a file that is not a cache is refused and left as it was', async () => {
    const t = tmp();
    const junk = 'not a database '.repeat(500);
    writeFileSync(t.db, junk);
    const r = await runCli(['today', '--offline'], { env: { PAPERS_DB: t.db } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^papers: cannot (open|use) the cache/);
    expect(readFileSync(t.db, 'utf8')).toBe(junk);
  });
});
