import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PapersError } from './errors.js';

/** Where the cache lives: --db, else PAPERS_DB, else $XDG_CACHE_HOME/papers/papers.db. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAPERS_DB) return env.PAPERS_DB;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'papers', 'papers.db');
}

/** Where the config lives: PAPERS_CONFIG, else $XDG_CONFIG_HOME/papers/config.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PAPERS_CONFIG) return env.PAPERS_CONFIG;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'papers', 'config.json');
}

/** The cache file a command's --db names, else the default. */
export function dbPathOf(opts: { db?: unknown }): string {
  return typeof opts.db === 'string' ? opts.db : defaultDbPath();
}

/**
 * A command that only reads never creates a cache: where none is, it stops here (exit 1,
 * naming the path), before anything is made there.
 */
export function requireCache(path: string): void {
  if (!existsSync(path)) {
    throw new PapersError(`no cache at ${path}`, { hint: 'run papers today, papers fetch or papers import first, or give --db the path of an existing cache' });
  }
}
