/**
 * Every source `papers fetch` and `papers sync` can fill the cache from, by name. Each is
 * loaded only when asked for, so a command pays for one source's parsers, not all of them.
 */
import { baseUrls } from './sites.js';
import type { Source } from './types.js';

export const SOURCE_NAMES = ['hf', 'arxiv'] as const;
export type FetchSourceName = (typeof SOURCE_NAMES)[number];

export async function loadSource(name: FetchSourceName, env: NodeJS.ProcessEnv = process.env): Promise<Source> {
  switch (name) {
    case 'hf':
      return (await import('./hf/index.js')).hfSource(baseUrls(env).hf);
    case 'arxiv':
      return (await import('./arxiv/index.js')).arxivSource(baseUrls(env));
  }
}
