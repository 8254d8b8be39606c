/**
 * Every source `papers fetch` and `papers sync` can fill the cache from, by name. Each is
 * loaded only when asked for, so a command pays for one source's parsers, not all of them.
 */
import { PapersError } from '../errors.js';
import { baseUrls } from '../http.js';
import type { Source } from './types.js';

export const SOURCE_NAMES = ['hf', 'arxiv'] as const;
export type FetchSourceName = (typeof SOURCE_NAMES)[number];

export async function loadSource(name: FetchSourceName, env: NodeJS.ProcessEnv = process.env): Promise<Source> {
  switch (name) {
    case 'hf':
      return (await import('./hf/index.js')).hfSource(baseUrls(env).hf);
    case 'arxiv':
      // To be wired to the arXiv source (src/sources/arxiv/, another issue): a `Source` whose
      // fetchRange asks arXiv for `req.categories` over the range, with `needsCategories` set.
      throw new PapersError('fetching date ranges from arXiv is not available in this version yet', {
        hint: 'use --source hf, or papers import for saved arXiv listing pages',
      });
  }
}
