/** `papers stats`: what is in the cache, at a glance. */
import { statSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { addDays } from '../dates.js';
import { renderStats, type CacheStats } from '../format/stats.js';
import { outputWidth, writeChunks } from '../output.js';
import { queryToFts } from '../query.js';
import { allTopics } from '../topics.js';
import { compareNames } from '../text.js';
import { openStore } from './common.js';
import type { StatsOptions } from '../cli/stats.js';

const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

export async function run(opts: StatsOptions): Promise<void> {
  const topics = allTopics(loadConfig());
  // A read command (a missing cache is an error, not made); the topic counts it keeps are kept
  // up to date when the cache can be written.
  const store = openStore(opts, { readOnly: true });
  try {
    const { bySource, byMonth, undated, newest } = store.contentStats();
    // "Active" is about the latest papers: the 30 days up to the newest one (today's, after a sync).
    const recentDays = newest ? { since: addDays(newest, -29), until: newest } : null;
    const compiled = Object.entries(topics).map(([name, t]) => ({ name, q: queryToFts(t.query, `topic ${name}`) }));
    const counts = store.topicCounts(compiled.map((c) => c.q), recentDays?.since);
    const topicCounts = compiled
      .map(({ name }, i) => ({ name, papers: counts.all[i]!, recent: counts.since?.[i] ?? 0 }))
      .sort((a, b) => b.recent - a.recent || b.papers - a.papers || compareNames(a.name, b.name));
    const sources = [...new Set(['hf', 'arxiv', ...bySource.map((s) => s.source)])].filter((s) => s !== 'import');
    const lastSync = sources.flatMap((source) => {
      const last = store.syncs.last(source);
      if (!last) return [];
      const ok = last.outcome === 'ok' ? last : store.syncs.last(source, 'ok');
      return [{ source, startedAt: last.startedAt, endedAt: last.endedAt, outcome: last.outcome, papersNew: last.papersNew, papersUpdated: last.papersUpdated, error: last.error, lastOk: ok?.startedAt ?? null }];
    });
    const dbBytes = size(store.path);
    const walBytes = size(`${store.path}-wal`);
    const stats: CacheStats = {
      papers: store.countKept(),
      bySource,
      byMonth,
      undated,
      topics: topicCounts,
      recentDays,
      lastSync,
      file: { path: store.path, bytes: dbBytes + walBytes, dbBytes, walBytes },
    };
    await writeChunks([opts.json ? JSON.stringify(stats, null, 2) + '\n' : renderStats(stats, outputWidth())]);
  } finally {
    store.close();
  }
}
