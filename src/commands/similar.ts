/** `papers similar <id>`: the cached papers closest to one, by tf-idf over the cache's text, offline. */
import { PapersError, UsageError } from '../errors.js';
import { parseArxivId } from '../ids.js';
import { messages, printPapers } from '../output.js';
import { similar } from '../similar.js';
import { terminalSafe } from '../text.js';
import { openStore, paperOptions } from './common.js';
import type { SimilarOptions } from '../cli/papers-tools.js';

export async function run(opts: SimilarOptions, ref: string): Promise<void> {
  const { format, filter } = paperOptions(opts);
  const n = filter.limit ?? 10;
  if (opts.explain && !['table', 'json'].includes(format)) throw new UsageError('--explain works with the table and --json');
  const store = openStore(opts, { readOnly: true });
  try {
    const id = parseArxivId(ref);
    const target = id ? store.getPaper(id) : store.findByTitle(ref).find((p) => p.id !== null);
    if (!target || !target.id) throw new PapersError(`not in the cache: ${ref}`, { hint: 'fetch it first: papers fetch <id>' });
    const hits = similar({ id: target.id, title: target.title, summary: target.summary, keywords: target.keywords }, store.similarDocs(), n, { stats: store.termStats() });
    const papers = hits.map((h) => store.getPaper(h.id)!).filter(Boolean);
    if (papers.length === 0) {
      messages.info(`no cached paper shares a term with ${target.id}`);
      if (format === 'json') process.stdout.write('[]\n');
      return;
    }
    if (!opts.explain) {
      await printPapers(papers, format, { heading: `Papers like ${target.id}: ${target.title}` });
      return;
    }
    if (format === 'json') {
      const { toRecord } = await import('../format/records.js');
      process.stdout.write('[\n' + papers.map((p, i) => '  ' + JSON.stringify({ ...toRecord(p), similarity: Math.round(hits[i]!.score * 1000) / 1000, sharedTerms: hits[i]!.shared })).join(',\n') + '\n]\n');
      return;
    }
    const lines = papers.map((p, i) => `${String(i + 1).padStart(2)}. ${hits[i]!.score.toFixed(2)}  ${terminalSafe(p.title)}  ${p.id}\n    shared: ${hits[i]!.shared.map(terminalSafe).join(', ')}\n`);
    process.stdout.write(`Papers like ${target.id}: ${terminalSafe(target.title)}\n` + lines.join(''));
  } finally {
    store.close();
  }
}
