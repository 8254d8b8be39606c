/** The sync log: one row per sync run of a source, what it asked for, what it got, how it ended. */
import type { Statements } from './statements.js';

export interface SyncLogEntry {
  id: number;
  source: string;
  rangeFrom: string | null;
  rangeTo: string | null;
  startedAt: string;
  endedAt: string | null;
  requests: number;
  papersNew: number;
  papersUpdated: number;
  outcome: string;
  error: string | null;
}

const SYNC_LOG_FIELDS = `id, source, range_from AS rangeFrom, range_to AS rangeTo, started_at AS startedAt, ended_at AS endedAt,
  requests, papers_new AS papersNew, papers_updated AS papersUpdated, outcome, error`;

export class SyncLog {
  constructor(private readonly st: Statements) {}

  /** Open a sync log entry (outcome 'running'); returns its id. */
  start(source: string, range: { from: string | null; to: string | null }, startedAt = new Date().toISOString()): number {
    return Number(this.st.get<[string, string | null, string | null, string]>('INSERT INTO sync_log (source, range_from, range_to, started_at) VALUES (?, ?, ?, ?)')
      .run(source, range.from, range.to, startedAt).lastInsertRowid);
  }

  /** Close a sync log entry with its outcome ('ok', 'failed', 'interrupted') and counts. */
  finish(id: number, r: { outcome: string; requests: number; papersNew: number; papersUpdated: number; error?: string | null; endedAt?: string }): void {
    this.st.get<[string, number, number, number, string, string | null, number]>('UPDATE sync_log SET ended_at = ?, requests = ?, papers_new = ?, papers_updated = ?, outcome = ?, error = ? WHERE id = ?')
      .run(r.endedAt ?? new Date().toISOString(), r.requests, r.papersNew, r.papersUpdated, r.outcome, r.error ?? null, id);
  }

  /** The latest sync of a source (with `outcome`, e.g. 'ok', when given), or null. */
  last(source: string, outcome?: string): SyncLogEntry | null {
    const row = outcome === undefined
      ? this.st.get<[string], SyncLogEntry>(`SELECT ${SYNC_LOG_FIELDS} FROM sync_log WHERE source = ? ORDER BY started_at DESC, id DESC LIMIT 1`).get(source)
      : this.st.get<[string, string], SyncLogEntry>(`SELECT ${SYNC_LOG_FIELDS} FROM sync_log WHERE source = ? AND outcome = ? ORDER BY started_at DESC, id DESC LIMIT 1`).get(source, outcome);
    return row ?? null;
  }

  /** Entries still 'running' although no sync runs (the lock is ours): their process died. */
  endAbandoned(): number {
    return this.st.get("UPDATE sync_log SET outcome = 'interrupted', error = coalesce(error, 'the run stopped before it finished') WHERE outcome = 'running'").run().changes;
  }
}
