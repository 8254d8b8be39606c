/**
 * What the cache keeps for arXiv's bulk sources: the state of OAI-PMH harvests, and the
 * versions known of papers (to tell a new version of a cached paper from a new paper).
 *
 * A harvest page's records, its resumption token and its responseDate are written in one
 * transaction: a harvest stopped at any moment (Ctrl-C, SIGKILL, a failed request) resumes
 * from the token of the last page stored, and no page is ever asked for twice.
 */
import type { ParsedPaper } from '../record.js';
import type { Store, UpsertResult } from './index.js';

export interface HarvestState {
  /** The harvest's key: endpoint and set. */
  harvest: string;
  /** The token of the next page of an unfinished harvest; null when none is under way. */
  token: string | null;
  /** The `from` the unfinished harvest asked with (asked again with it if its token expired). */
  fromDay: string | null;
  /** The responseDate of the unfinished harvest's first page. */
  startedResponseDate: string | null;
  /** The responseDate of the last page stored. */
  lastResponseDate: string | null;
  /**
   * The responseDate of the first page of the last harvest that completed: the next run asks
   * from its day, so nothing modified while that harvest ran is missed.
   */
  completeResponseDate: string | null;
  /** Pages and records stored by the unfinished (or last) harvest. */
  pages: number;
  records: number;
  updatedAt: string;
}

interface Row {
  harvest: string;
  token: string | null;
  from_day: string | null;
  started_response_date: string | null;
  last_response_date: string | null;
  complete_response_date: string | null;
  pages: number;
  records: number;
  updated_at: string;
}

export function harvestState(store: Store, harvest: string): HarvestState | null {
  const r = store.handle.prepare<[string], Row>('SELECT * FROM harvest_state WHERE harvest = ?').get(harvest);
  if (!r) return null;
  return {
    harvest: r.harvest, token: r.token, fromDay: r.from_day, startedResponseDate: r.started_response_date,
    lastResponseDate: r.last_response_date, completeResponseDate: r.complete_response_date, pages: r.pages, records: r.records, updatedAt: r.updated_at,
  };
}

export interface HarvestPageWrite {
  papers: ParsedPaper[];
  /** The token of the next page; null when this page ends the list. */
  token: string | null;
  responseDate: string;
  /** The `from` of this harvest. */
  fromDay: string | null;
  /** True for the first page of a list (not of a resumed one). */
  firstOfList: boolean;
}

/** Store one harvest page and where the harvest stands, in one transaction. */
export function saveHarvestPage(store: Store, harvest: string, page: HarvestPageWrite, now = new Date().toISOString()): UpsertResult {
  return store.transaction(() => {
    const result = store.upsertPapers(page.papers, { now });
    const db = store.handle;
    const old = harvestState(store, harvest);
    const started = page.firstOfList ? page.responseDate : (old?.startedResponseDate ?? page.responseDate);
    const pages = (page.firstOfList ? 0 : (old?.pages ?? 0)) + 1;
    const records = (page.firstOfList ? 0 : (old?.records ?? 0)) + page.papers.length;
    db.prepare(`INSERT INTO harvest_state (harvest, token, from_day, started_response_date, last_response_date, complete_response_date, pages, records, updated_at)
      VALUES (@harvest, @token, @fromDay, @started, @last, @complete, @pages, @records, @now)
      ON CONFLICT (harvest) DO UPDATE SET token = excluded.token, from_day = excluded.from_day, started_response_date = excluded.started_response_date,
        last_response_date = excluded.last_response_date, complete_response_date = excluded.complete_response_date,
        pages = excluded.pages, records = excluded.records, updated_at = excluded.updated_at`).run({
      harvest, token: page.token, fromDay: page.fromDay, started, last: page.responseDate,
      complete: page.token === null ? started : (old?.completeResponseDate ?? null), pages, records, now,
    });
    return result;
  });
}

/** A paper's latest version as the cache knows it: its number (0 when none is known) and updatedAt. */
export interface LatestVersion {
  version: number;
  updatedAt: string | null;
}

/** The latest known version of each cached paper among `ids` (papers not cached are absent). */
export function latestVersions(store: Store, ids: string[]): Map<string, LatestVersion> {
  const out = new Map<string, LatestVersion>();
  if (ids.length === 0) return out;
  const rows = store.handle.prepare<[string], { id: string; v: number | null; updated_at: string | null }>(
    `SELECT id, (SELECT max(value ->> 'version') FROM json_each(versions)) AS v, updated_at FROM papers WHERE id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids));
  for (const r of rows) out.set(r.id, { version: r.v ?? 0, updatedAt: r.updated_at });
  return out;
}

/** True when `after` states a later version than `before`: a higher number, or a later latest date. */
export function isNewVersion(before: LatestVersion, after: LatestVersion): boolean {
  if (after.version > before.version && before.version > 0) return true;
  return before.updatedAt !== null && after.updatedAt !== null && after.updatedAt > before.updatedAt;
}
