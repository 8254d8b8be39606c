import { homedir } from 'node:os';
import { join } from 'node:path';

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
