/** Files that are not what they should be: a clear error naming the file, and nothing overwritten. */
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers/cli.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function tmp() {
  const d = tempDir();
  dirs.push(d);
  return d;
}

describe('files', () => {
  it('a corrupt config is an error naming the file and line, and is never overwritten', async () => {
    const t = tmp();
    const broken = '{\n  "topics": {\n    "agents": "agent OR agentic",\n  }\n}\n';
    writeFileSync(t.config, broken);
    const r = await runCli(['sync', '--retries', '0', '--timeout', '1'], { env: { PAPERS_CONFIG: t.config, PAPERS_DB: t.db, PAPERS_HF_URL: 'http://127.0.0.1:9' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`papers: the config file ${t.config} is not valid JSON at line 4, column 3 (fix the file or move it away; papers will not overwrite it)\n`);
    expect(readFileSync(t.config, 'utf8')).toBe(broken);
  });

  it('a cache path in a missing directory is created', async () => {
    const t = tmp();
    const db = join(t.dir, 'a', 'b', 'c', 'papers.db');
    const r = await runCli(['today', '--offline'], { env: { PAPERS_DB: db } });
    expect(r.stderr).toMatch(/no daily list in the cache yet/);
    expect(existsSync(db)).toBe(true);
  });

  it('a cache path that cannot be created is a clear error (exit 1)', async () => {
    for (const db of ['/dev/null/papers/papers.db', '/proc/papers.db']) {
      const r = await runCli(['today', '--offline', '--db', db]);
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
