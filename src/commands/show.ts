/** `papers show <id…>`: papers in full, from the cache. Each argument is one paper. */
import { PapersError } from '../errors.js';
import { parseArxivId } from '../ids.js';
import { colorEnabled, messages, writeChunks } from '../output.js';
import type { Paper } from '../record.js';
import { terminalSafe } from '../text.js';
import { renderShow, showJson, type ShowExtra } from '../format/show.js';
import { openStore } from './common.js';
import type { ShowOptions } from '../cli/show.js';

/** Where `show` wraps: the terminal's width, $COLUMNS when set, else not at all (piped). */
function showWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns) return Math.min(process.stdout.columns, 100);
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 20 ? Math.min(columns, 100) : Infinity;
}

export async function run(opts: ShowOptions, args: string[]): Promise<void> {
  const inputs = args.map((a) => a.trim()).filter(Boolean);
  const store = openStore(opts, { readOnly: true });
  try {
    // Every argument that reads as an id is one paper; when none does, the words are one title.
    const ids = inputs.map((a) => parseArxivId(a));
    const wanted = ids.every((id) => id === null) ? [{ input: inputs.join(' '), id: null }] : inputs.map((input, i) => ({ input, id: ids[i]! }));
    const found: { paper: Paper; extra: ShowExtra }[] = [];
    const missing: string[] = [];
    for (const w of wanted) {
      const paper = w.id ? store.getPaper(w.id) : (store.findByTitle(w.input)[0] ?? null);
      if (!paper) {
        missing.push(w.id ? `arXiv:${w.id}` : `"${terminalSafe(w.input).slice(0, 80)}"`);
        continue;
      }
      const extra = paper.id ? { lists: store.listsOf(paper.id), history: store.countHistory(paper.id) } : { lists: [], history: [] };
      found.push({ paper, extra });
    }
    if (opts.json) {
      const records = found.map((f) => showJson(f.paper, f.extra));
      // One argument, one object; several, an array (of those found).
      if (wanted.length === 1 && records.length === 1) await writeChunks([JSON.stringify(records[0], null, 2) + '\n']);
      else if (wanted.length > 1) await writeChunks([JSON.stringify(records, null, 2) + '\n']);
    } else {
      const color = colorEnabled(process.stdout);
      const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
      const width = showWidth();
      const rule = Number.isFinite(width) ? '─'.repeat(width) : '─'.repeat(40);
      await writeChunks(found.map((f, i) => (i > 0 ? `\n${rule}\n\n` : '') + renderShow(f.paper, f.extra, width, bold)));
    }
    if (missing.length > 0) {
      const one = missing.length === 1 && wanted.length === 1;
      const what = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the cache`;
      const absent = wanted.filter((w) => w.id !== null && missing.includes(`arXiv:${w.id}`)).map((w) => w.id);
      const hint = absent.length === 0 ? 'give an arXiv id or the exact title; papers search finds papers on Hugging Face' : `papers fetch ${absent.join(' ')} gets ${absent.length === 1 ? 'it' : 'them'}`;
      if (one) throw new PapersError(what, { hint });
      messages.info(`${what} (${hint})`);
      process.exitCode = 1;
    }
  } finally {
    store.close();
  }
}
