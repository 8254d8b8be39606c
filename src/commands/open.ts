/** `papers open`: a paper's page in the browser, or its URL printed (off a terminal, or with no opener). */
import { existsSync } from 'node:fs';
import { PapersError, UsageError } from '../errors.js';
import { parseArxivId } from '../ids.js';
import { messages } from '../output.js';
import { paperUrl, planOpen, spawnOpener, type OpenTarget } from '../open.js';
import { dbPathOf } from '../paths.js';
import { emptyPaper, type Paper } from '../record.js';
import { Store } from '../store/index.js';
import type { OpenOptions } from '../cli/papers-tools.js';

const TARGETS = ['pdf', 'hf', 'arxiv', 'code'] as const;

/** The paper from the cache when there is one (never creating a cache), else one built from its id. */
function findPaper(opts: OpenOptions, ref: string): Paper {
  const id = parseArxivId(ref);
  const path = dbPathOf(opts);
  if (existsSync(path)) {
    const store = Store.open(path);
    try {
      const found = id ? store.getPaper(id) : store.findByTitle(ref)[0];
      if (found) return found;
    } finally {
      store.close();
    }
  }
  if (!id) throw new PapersError(`not an arXiv id, nor the title of a cached paper: ${JSON.stringify(ref)}`, { hint: 'give an id like 2410.17243' });
  return { ...emptyPaper(id, 'arxiv'), id, firstSeenAt: '', lastSeenAt: '' };
}

export async function run(opts: OpenOptions, ref: string): Promise<void> {
  const chosen = TARGETS.filter((t) => opts[t]);
  if (chosen.length > 1) throw new UsageError(`choose one of ${chosen.map((t) => '--' + t).join(', ')}`);
  const target: OpenTarget = chosen[0] ?? 'default';
  const paper = findPaper(opts, ref);
  const url = paperUrl(paper, target);
  if (!url) {
    throw new PapersError(`${paper.id ?? paper.title} has no ${target === 'code' ? 'code link' : `${target} URL`} in the cache`, { hint: target === 'code' ? 'try papers open <id> --arxiv' : 'fetch it first: papers fetch <id>' });
  }
  const plan = planOpen(url, { isTTY: !!process.stdout.isTTY });
  if (plan.action === 'print') {
    messages.debug(`printing the URL: ${plan.reason}`);
    process.stdout.write(url + '\n');
    return;
  }
  try {
    await spawnOpener(plan.opener, url);
    messages.debug(`opened with ${plan.opener.command} (${plan.opener.origin})`);
  } catch (err) {
    messages.warn(`could not start ${plan.opener.command}: ${(err as Error).message}`);
    process.stdout.write(url + '\n');
  }
}
