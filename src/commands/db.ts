/** `papers db vacuum|check|prune`: cache maintenance, with the file's size before and after. */
import { statSync } from 'node:fs';
import { parseDateArg } from '../dates.js';
import { PapersError } from '../errors.js';
import { formatBytes, plural } from '../format/words.js';
import { messages, writeChunks } from '../output.js';
import { openStore } from './common.js';
import type { CheckOptions, PruneOptions, VacuumOptions } from '../cli/db.js';

/** The cache's bytes on disk: the file and its write-ahead log. */
function size(path: string): number {
  const of = (p: string) => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  return of(path) + of(`${path}-wal`);
}

function sizes(before: number, after: number): string {
  return `${formatBytes(before)} → ${formatBytes(after)}`;
}

export async function vacuum(opts: VacuumOptions): Promise<void> {
  const store = openStore(opts, { readOnly: true });
  try {
    const before = size(store.path);
    store.vacuum();
    const after = size(store.path);
    if (opts.json) await writeChunks([JSON.stringify({ bytesBefore: before, bytesAfter: after }) + '\n']);
    messages.info(`compacted ${store.path}: ${sizes(before, after)}`);
  } finally {
    store.close();
  }
}

export async function check(opts: CheckOptions): Promise<void> {
  const store = openStore(opts, { readOnly: true });
  try {
    const result = store.check();
    const ok = result.integrity.length === 1 && result.integrity[0] === 'ok' && result.foreignKeys === 0 && result.fullText === null;
    if (opts.json) await writeChunks([JSON.stringify({ ok, ...result, bytes: size(store.path) }) + '\n']);
    if (!ok) {
      const problems = [
        ...(result.integrity[0] === 'ok' ? [] : [`integrity: ${result.integrity.slice(0, 3).join('; ')}`]),
        ...(result.foreignKeys ? [`${plural(result.foreignKeys, 'row')} pointing at missing papers`] : []),
        ...(result.fullText ? [`full-text index: ${result.fullText}`] : []),
      ];
      throw new PapersError(`the cache ${store.path} is damaged: ${problems.join('; ')}`, { hint: 'export what you can (papers export), then move the file away and fetch again' });
    }
    messages.info(`${store.path} is sound: integrity, index and full-text index checked (${formatBytes(size(store.path))})`);
  } finally {
    store.close();
  }
}

export async function prune(opts: PruneOptions): Promise<void> {
  const before = parseDateArg(opts.before, '--before');
  const store = openStore(opts, { readOnly: true });
  try {
    const bytesBefore = size(store.path);
    const result = store.prune(before, { dryRun: opts.dryRun });
    // Deleted rows leave free pages: compact, so that the file shrinks.
    if (!opts.dryRun && result.papers + result.lists > 0) store.vacuum();
    const bytesAfter = size(store.path);
    if (opts.json) await writeChunks([JSON.stringify({ before, dryRun: !!opts.dryRun, ...result, bytesBefore, bytesAfter }) + '\n']);
    const what = `${plural(result.papers, 'paper')} and ${plural(result.lists, 'daily list')} from before ${before}`;
    messages.info(opts.dryRun ? `would remove ${what} (starred papers stay)` : `removed ${what}; ${sizes(bytesBefore, bytesAfter)}`);
  } finally {
    store.close();
  }
}
