/**
 * The papers table's columns, written down once. The column list of every statement, the
 * row <-> record mapping, the decoding of rows read in raw mode and the parameters of the
 * INSERT and UPDATE are all made from COLUMNS: a new column is one entry here (and a migration).
 */
import type { Paper, SourceName } from '../record.js';
import { normalizeTitle } from '../text.js';
import { encodeProvenance, type Provenance } from './merge.js';
import { marksOf } from './marks.js';

/** How a record field is kept: as is (text or integer), or as JSON text. */
type Kind = 'text' | 'int' | 'json';

interface ColumnSpec {
  readonly column: string;
  /** The record field it holds; null for a column derived from other fields. */
  readonly field: keyof Paper | null;
  readonly kind: Kind;
}

export const COLUMNS = [
  { column: 'id', field: 'id', kind: 'text' },
  { column: 'title_key', field: null, kind: 'text' },
  { column: 'title', field: 'title', kind: 'text' },
  { column: 'summary', field: 'summary', kind: 'text' },
  { column: 'authors', field: 'authors', kind: 'json' },
  { column: 'author_count', field: 'authorCount', kind: 'int' },
  { column: 'published_at', field: 'publishedAt', kind: 'text' },
  { column: 'announced_at', field: 'announcedAt', kind: 'text' },
  { column: 'updated_at', field: 'updatedAt', kind: 'text' },
  { column: 'arxiv_announce', field: 'arxivAnnounce', kind: 'text' },
  { column: 'versions', field: 'versions', kind: 'json' },
  { column: 'daily_date', field: 'dailyDate', kind: 'text' },
  { column: 'upvotes', field: 'upvotes', kind: 'int' },
  { column: 'comments', field: 'comments', kind: 'int' },
  { column: 'url', field: 'url', kind: 'text' },
  { column: 'arxiv_url', field: 'arxivUrl', kind: 'text' },
  { column: 'pdf_url', field: 'pdfUrl', kind: 'text' },
  { column: 'github_repo', field: 'githubRepo', kind: 'text' },
  { column: 'project_page', field: 'projectPage', kind: 'text' },
  { column: 'github_stars', field: 'githubStars', kind: 'int' },
  { column: 'keywords', field: 'keywords', kind: 'json' },
  { column: 'ai_summary', field: 'aiSummary', kind: 'text' },
  { column: 'organization', field: 'organization', kind: 'text' },
  { column: 'categories', field: 'categories', kind: 'json' },
  { column: 'sources', field: 'sources', kind: 'json' },
  { column: 'first_seen_at', field: 'firstSeenAt', kind: 'text' },
  { column: 'last_seen_at', field: 'lastSeenAt', kind: 'text' },
  { column: 'journal_ref', field: 'journalRef', kind: 'text' },
  { column: 'arxiv_comment', field: 'arxivComment', kind: 'text' },
  { column: 'doi', field: 'doi', kind: 'text' },
  // What decides between two values of a field when sources disagree (merge.ts).
  { column: 'provenance', field: null, kind: 'json' },
] as const satisfies readonly ColumnSpec[];

type Column = (typeof COLUMNS)[number];
export type ColumnName = Column['column'];

/** A stored value as SQLite gives it back. */
type Stored<K extends Kind> = K extends 'int' ? number | null : string | null;

/** A papers row as read (ROW_FIELDS): its rowid and every column. */
export type PaperRow = { rowid: number; marks?: string | null } & { [C in Column as C['column']]: Stored<C['kind']> };

/** The bound parameters of the INSERT and UPDATE statements. */
export type PaperParams = { [C in Column as C['column']]: Stored<C['kind']> };

export const PAPER_COLUMNS: readonly ColumnName[] = COLUMNS.map((c) => c.column);

/**
 * A paper's columns as every read takes them (`p` is the papers table): its last-seen time is
 * the later of the row's and the one paper_seen holds (schema v3).
 */
export const ROW_FIELDS = ['p.rowid AS rowid', ...PAPER_COLUMNS.map((c) => (c === 'last_seen_at'
  ? "max(p.last_seen_at, coalesce((SELECT seen_at FROM paper_seen WHERE paper = p.rowid), '')) AS last_seen_at"
  : `p.${c}`))].join(', ');
export const ROW_SELECT = `SELECT ${ROW_FIELDS} FROM papers p`;

/**
 * What ingest reads of a row: ROW_FIELDS and, last, when each count was last seen unchanged
 * (paper_seen.field_times, JSON), which the merge needs to know the newest observation.
 */
export const INGEST_SELECT = `SELECT ${ROW_FIELDS}, (SELECT field_times FROM paper_seen WHERE paper = p.rowid) AS field_times FROM papers p`;
export type IngestRow = PaperRow & { field_times: string | null };

// Made once: building them for every row was a tenth of a fresh ingest.
// A new row's rowid follows its day (rowkey.ts); `made` keeps the order rows were made in.
export const INSERT_PAPER = `INSERT INTO papers (rowid, made, ${PAPER_COLUMNS.join(', ')}) VALUES (@rowid, @made, ${PAPER_COLUMNS.map((c) => '@' + c).join(', ')})`;
export const UPDATE_PAPER = `UPDATE papers SET ${PAPER_COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE rowid = @rowid`;

/** The columns of the full-text index, in its order. */
export const FTS_COLUMNS = ['title', 'summary', 'authors', 'keywords', 'categories'] as const;
export type FtsText = Pick<PaperParams, (typeof FTS_COLUMNS)[number]>;

/** The record a stored row holds. */
export function rowToPaper(r: PaperRow): Paper {
  const out: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    if (c.field === null) continue;
    const v = r[c.column];
    out[c.field] = c.kind === 'json' ? JSON.parse(v as string) : v;
  }
  // A read that selects the personal marks (MARKS_FIELD) gives them; ingest's reads do not.
  if (r.marks !== undefined) Object.assign(out, marksOf(r.marks));
  return out as unknown as Paper;
}

/**
 * A row read in raw mode (an array, columns in ROW_FIELDS' order) as a PaperRow: building
 * the object here is twice as fast as the driver's own objects, which a batch reads thousands of.
 */
export function rowFromArray(a: unknown[]): IngestRow {
  const out: Record<string, unknown> = { rowid: a[0] };
  for (let i = 0; i < COLUMNS.length; i++) out[COLUMNS[i]!.column] = a[i + 1];
  out.field_times = a[COLUMNS.length + 1] ?? null;
  return out as IngestRow;
}

/** The INSERT/UPDATE parameters of a record. A field a record lacks is stored as null. */
export function paperParams(p: Paper, prov: Provenance): PaperParams {
  const out: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    if (c.field === null) continue;
    const v = p[c.field] ?? null;
    out[c.column] = c.kind === 'json' ? JSON.stringify(v ?? []) : v;
  }
  out.title_key = normalizeTitle(p.title);
  out.provenance = encodeProvenance(prov);
  return out as PaperParams;
}
