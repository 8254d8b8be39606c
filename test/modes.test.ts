/**
 * What papers writes is its owner's alone where the platform has modes: a new cache and its
 * -wal and -shm files 0600, the folders made for it 0700, the config and the sync lock 0600.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../src/store/index.js';
import { releaseSyncLock, syncLockPath, tryLock } from '../src/sync-lock.js';
import { runCli, tempDir } from './helpers/cli.js';
import { fixturePath } from './helpers/server.js';
import { parsedPaper } from './helpers/papers.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe.skipIf(process.platform === 'win32')('owner-only files', () => {
  it('a new cache, its -wal and -shm, its new folders and the sync lock', () => {
    const t = tempDir();
    dirs.push(t);
    const db = join(t.dir, 'a', 'b', 'papers.db');
    const store = Store.open(db);
    try {
      store.upsertPapers([parsedPaper()]);
      expect(existsSync(`${db}-wal`)).toBe(true);
      expect(existsSync(`${db}-shm`)).toBe(true);
      expect({ db: mode(db), wal: mode(`${db}-wal`), shm: mode(`${db}-shm`) }).toEqual({ db: 0o600, wal: 0o600, shm: 0o600 });
      expect({ a: mode(join(t.dir, 'a')), b: mode(join(t.dir, 'a', 'b')) }).toEqual({ a: 0o700, b: 0o700 });
      expect(tryLock(store)).toBeNull();
      expect(mode(syncLockPath(store))).toBe(0o600);
      releaseSyncLock(store);
    } finally {
      store.close();
    }
  });

  it('a cache made by a command, and the config written by papers config', async () => {
    const t = tempDir();
    dirs.push(t);
    const env = { PAPERS_DB: t.db, PAPERS_CONFIG: join(t.dir, 'conf', 'config.json') };
    const imported = await runCli(['import', fixturePath('hf/api-daily-papers-2026-03-06.one-item.json')], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(mode(t.db)).toBe(0o600);
    const set = await runCli(['config', 'set', 'defaults.sort', 'upvotes'], { env });
    expect(set.code, set.stderr).toBe(0);
    expect(mode(env.PAPERS_CONFIG)).toBe(0o600);
    expect(mode(join(t.dir, 'conf'))).toBe(0o700);
  });

  it('an existing cache keeps the mode its owner gave it', () => {
    const t = tempDir();
    dirs.push(t);
    Store.open(t.db).close();
    chmodSync(t.db, 0o640);
    Store.open(t.db).close();
    expect(mode(t.db)).toBe(0o640);
  });
});
