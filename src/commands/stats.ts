/** `papers stats`: what is in the cache, at a glance. */
import { statSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { writeChunks } from '../output.js';
import { compileQuery, parseQuery } from '../query.js';
import { allTopics } from '../topics.js';
import { openStore } from './common.js';

const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

export async function run(opts: Record<string, unknown>): Promise<void> {
  const store = openStore(opts);
  try {
    const db = store.handle;
    const total = store.count();
    const bySource = db.prepare("SELECT s.value AS source, count(*) AS papers FROM papers p, json_each(p.sources) s GROUP BY s.value ORDER BY papers DESC").all() as { source: string; papers: number }[];
    const byMonth = db.prepare("SELECT substr(coalesce(daily_date, published_at), 1, 7) AS month, count(*) AS papers FROM papers WHERE coalesce(daily_date, published_at) IS NOT NULL GROUP BY month ORDER BY month DESC LIMIT 12").all() as { month: string; papers: number }[];
    const topics = Object.entries(allTopics(loadConfig()))
      .map(([name, t]) => ({ name, papers: store.countMatching(compileQuery(parseQuery(t.query, `topic ${name}`), `topic ${name}`)) }))
      .sort((a, b) => b.papers - a.papers || a.name.localeCompare(b.name));
    const sources = [...new Set(['hf', 'arxiv', ...bySource.map((s) => s.source)])].filter((s) => s !== 'import');
    const lastSync = sources.map((source) => ({ source, last: store.lastSync(source) })).filter((s) => s.last);
    const file = { path: store.path, bytes: size(store.path) + size(`${store.path}-wal`) };
    if (opts.json) {
      await writeChunks([JSON.stringify({ papers: total, bySource, byMonth, topics, lastSync, file }, null, 2) + '\n']);
      return;
    }
    const lines = [
      `${total} papers in ${file.path} (${(file.bytes / 1048576).toFixed(1)} MB)`,
      '',
      'by source:   ' + (bySource.map((s) => `${s.source} ${s.papers}`).join(' · ') || 'none'),
      'by month:    ' + (byMonth.map((m) => `${m.month} ${m.papers}`).join(' · ') || 'none'),
      'top topics:  ' + (topics.slice(0, 8).map((t) => `${t.name} ${t.papers}`).join(' · ') || 'none'),
      ...lastSync.map(({ source, last }) => `last sync:   ${source} ${last!.startedAt.slice(0, 16).replace('T', ' ')} ${last!.outcome}${last!.papersNew ? `, ${last!.papersNew} new` : ''}${last!.error ? ` (${last!.error})` : ''}`),
    ];
    await writeChunks([lines.join('\n') + '\n']);
  } finally {
    store.close();
  }
}
