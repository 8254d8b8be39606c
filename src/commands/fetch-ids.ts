/**
 * `papers fetch <id|url>…`: the given papers, from Hugging Face's paper API (one request a
 * paper) and arXiv's API (one `id_list` request for all of them), merged into one record each
 * by the store, then printed like `list`. A paper that neither source knows is named on stderr
 * and the command exits 1 after printing the others. `--offline` prints what the cache has.
 */
import { PapersError, UsageError } from '../errors.js';
import { parseArxivId } from '../ids.js';
import { messages, printPapers, resolveFormat } from '../output.js';
import type { Paper, ParsedPaper } from '../record.js';
import { terminalSafe } from '../text.js';
import { httpOptions, openStore } from './common.js';
import { makeHttp } from './runs.js';
import type { FetchOptions } from '../cli/fetch.js';
import { plural } from '../format/words.js';

/** Options of the date fetch that mean nothing for given ids. */
const DATE_OPTIONS = ['date', 'from', 'to', 'week', 'month'] as const;
const EXAMPLE_IDS = 'e.g. 2410.17243, arXiv:2410.17243v2, astro-ph/0601001, https://arxiv.org/abs/2410.17243, https://huggingface.co/papers/2410.17243';

/** The versionless ids of the arguments, each once, in the order given; anything else is a usage error. */
export function idsOfArguments(args: readonly string[]): string[] {
  const ids: string[] = [];
  for (const arg of args) {
    const id = parseArxivId(arg);
    if (id === null) throw new UsageError(`'${terminalSafe(arg).slice(0, 200)}' is not an arXiv id or a paper URL`, { hint: EXAMPLE_IDS });
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function run(opts: FetchOptions, args: string[]): Promise<void> {
  const given = DATE_OPTIONS.filter((k) => opts[k] !== undefined).map((k) => `--${k}`);
  if (given.length > 0) throw new UsageError(`${given.join(', ')} and paper ids cannot be combined`, { hint: 'give either ids (papers fetch 2410.17243) or dates (papers fetch --date 2024-08-01)' });
  for (const [key, flag] of [['source', '--source'], ['category', '--category'], ['refresh', '--refresh']] as const) {
    if (opts[key] !== undefined) throw new UsageError(`${flag} applies to fetching by date, not to paper ids`, { hint: 'given ids are always fetched from both Hugging Face and arXiv' });
  }
  const format = resolveFormat(opts);
  const ids = idsOfArguments(args);
  if (ids.length === 0) throw new UsageError('no paper id given', { hint: EXAMPLE_IDS });

  if (opts.offline) {
    const store = openStore(opts, { readOnly: true });
    try {
      const found = ids.map((id) => store.getPaper(id));
      await printPapers(found.filter((p): p is Paper => p !== null), format);
      const missing = ids.filter((_, i) => found[i] === null);
      if (missing.length > 0) {
        throw new PapersError(`${missing.map((id) => `arXiv:${id}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the cache`, { hint: `run papers fetch ${missing.join(' ')} without --offline` });
      }
    } finally {
      store.close();
    }
    return;
  }

  const httpSettings = httpOptions(opts); // --timeout and --retries checked before any work
  const [{ fetchHfPaper, inPool }, { fetchArxivIds }, { baseUrls }] = await Promise.all([
    import('../sources/hf/index.js'), import('../sources/arxiv/index.js'), import('../sources/sites.js'),
  ]);
  const bases = baseUrls();
  const store = openStore(opts);
  const http = await makeHttp(httpSettings);
  try {
    // Both sources at once: Hugging Face a paper a request (its host allows a few at a time),
    // arXiv all of them in one id_list request (its host rule spaces any more).
    const fromHf = new Map<string, ParsedPaper>();
    const hfFailed = new Map<string, string>();
    const failed: { arxiv: string | null } = { arxiv: null };
    const fromArxiv = new Map<string, ParsedPaper>();
    await Promise.all([
      inPool(ids, 4, async (id) => {
        try {
          const p = await fetchHfPaper(http, bases.hf, id);
          if (p === null) messages.debug(`arXiv:${id}: Hugging Face does not know it`);
          else if (p.id !== null) fromHf.set(p.id, p);
        } catch (err) {
          if (!(err instanceof PapersError)) throw err;
          hfFailed.set(id, errorText(err));
        }
      }),
      (async () => {
        try {
          for (const p of await fetchArxivIds(http, bases.arxivApi, ids)) if (p.id !== null) fromArxiv.set(p.id, p);
        } catch (err) {
          if (!(err instanceof PapersError)) throw err;
          failed.arxiv = errorText(err);
        }
      })(),
    ]);

    // Only what was asked for is stored; each source's record merges into the one of the paper.
    const hfPapers = ids.flatMap((id) => fromHf.get(id) ?? []);
    const arxivPapers = ids.flatMap((id) => fromArxiv.get(id) ?? []);
    const stored = store.transaction(() => [store.upsertPapers(hfPapers), store.upsertPapers(arxivPapers)]);
    const fresh = new Set(stored.flatMap((r) => r.newRowids)).size;
    const got = ids.filter((id) => fromHf.has(id) || fromArxiv.has(id));
    messages.info(`fetched ${got.length} of ${plural(ids.length, 'paper')} (${fresh} new; Hugging Face knew ${fromHf.size}, arXiv ${fromArxiv.size})`);

    await printPapers(got.map((id) => store.getPaper(id)).filter((p): p is Paper => p !== null), format);

    // What went wrong, after the papers: a source that failed, then the papers nobody gave.
    const problems: string[] = [];
    if (failed.arxiv !== null) problems.push(`the arXiv API failed: ${failed.arxiv}`);
    for (const [id, why] of hfFailed) problems.push(`Hugging Face failed for arXiv:${id}: ${why}`);
    const unknown = ids.filter((id) => !fromHf.has(id) && !fromArxiv.has(id) && !hfFailed.has(id) && failed.arxiv === null);
    const unreached = ids.filter((id) => !fromHf.has(id) && !fromArxiv.has(id) && (hfFailed.has(id) || failed.arxiv !== null));
    for (const p of problems) messages.warn(p);
    if (unknown.length > 0 || unreached.length > 0 || problems.length > 0) {
      const parts: string[] = [];
      if (unknown.length > 0) parts.push(`${unknown.map((id) => `arXiv:${id}`).join(', ')}: neither Hugging Face nor arXiv knows ${unknown.length === 1 ? 'it' : 'them'}`);
      if (unreached.length > 0) parts.push(`${unreached.map((id) => `arXiv:${id}`).join(', ')}: not fetched`);
      if (parts.length === 0) parts.push(`some papers are missing data from a source that failed`);
      throw new PapersError(parts.join('; '), {
        hint: unreached.length > 0 || problems.length > 0 ? 'run the same command again; what was fetched is kept' : 'check the ids',
      });
    }
  } finally {
    await http.close();
    store.close();
  }
}
