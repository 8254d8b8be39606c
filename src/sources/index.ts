/**
 * Every source `papers fetch` and `papers sync` can fill the cache from, by name. Each is
 * loaded only when asked for, so a command pays for one source's parsers, not all of them.
 */
import { baseUrls } from './sites.js';
import type { SourceName } from '../record.js';
import type { Source } from './types.js';

/** The sites a fetch can ask: every source but files imported by hand. */
export type FetchSourceName = Exclude<SourceName, 'import'>;

export async function loadSource(name: FetchSourceName, env: NodeJS.ProcessEnv = process.env): Promise<Source> {
  switch (name) {
    case 'hf':
      return (await import('./hf/index.js')).hfSource(baseUrls(env).hf);
    case 'arxiv':
      return (await import('./arxiv/index.js')).arxivSource(baseUrls(env));
  }
}
