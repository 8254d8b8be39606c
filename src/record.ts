/** The one paper record of the command-line contract ("The paper record"; README, "The record"). */
export type SourceName = 'hf' | 'arxiv' | 'import';

/** The section of an arXiv listing a paper was in. */
export type ArxivAnnounce = 'new' | 'cross' | 'replace' | 'replace-cross';

/** One version of a paper on arXiv, the day it was submitted when known, and its size where a source states it. */
export interface Version {
  version: number;
  date: string | null;
  /** As arXiv states it (`1204kb`); absent when no source gave it. */
  size?: string;
}

/**
 * The kind of source a parsed paper came from: it decides which value of a field the cache
 * keeps when sources disagree (see the store's merge).
 */
export type OriginKind = 'arxiv-api' | 'arxiv-oai' | 'arxiv-snapshot' | 'arxiv-listing' | 'arxiv-feed' | 'hf-api' | 'hf-page' | 'hf-search' | 'hf-copied' | 'import';

export interface Paper {
  id: string | null;
  title: string;
  summary: string | null;
  authors: string[];
  authorCount: number | null;
  /** The day the first version appeared on arXiv; never a listing's or a search hit's day. */
  publishedAt: string | null;
  /** The day arXiv announced it in a listing or feed. */
  announcedAt: string | null;
  /** The latest version's date, where a source gives it. */
  updatedAt: string | null;
  /** The section of the latest arXiv listing that had it. */
  arxivAnnounce: ArxivAnnounce | null;
  /** Every version known, in order. */
  versions: Version[];
  /** The Hugging Face daily list it was on (the earliest); only daily lists set it. */
  dailyDate: string | null;
  upvotes: number | null;
  comments: number | null;
  url: string | null;
  arxivUrl: string | null;
  pdfUrl: string | null;
  githubRepo: string | null;
  projectPage: string | null;
  githubStars: number | null;
  keywords: string[];
  aiSummary: string | null;
  organization: string | null;
  categories: string[];
  sources: SourceName[];
  firstSeenAt: string;
  lastSeenAt: string;
  /*
   * What arXiv adds beyond the contract's record. Kept in the cache and used by `show` and the
   * BibTeX export; never part of JSON/JSONL/CSV output, whose fields are fixed.
   */
  journalRef?: string | null;
  /* Personal marks, kept apart from the fetched data: set on papers read from the cache. */
  seen?: boolean;
  starred?: boolean;
  hidden?: boolean;
  tags?: string[];
  note?: string | null;
  arxivComment?: string | null;
  doi?: string | null;
}

/**
 * What a parser produces: a record before the cache has seen it (no timestamps yet), with the
 * kind of source it came from and, for an arXiv listing, the listing's day.
 */
export type ParsedPaper = Omit<Paper, 'firstSeenAt' | 'lastSeenAt'> & { origin?: OriginKind; listedOn?: string | null };

/** The contract's field order; every output uses it. */
export const PAPER_FIELDS = [
  'id', 'title', 'summary', 'authors', 'authorCount', 'publishedAt', 'announcedAt', 'updatedAt',
  'arxivAnnounce', 'versions', 'dailyDate', 'upvotes',
  'comments', 'url', 'arxivUrl', 'pdfUrl', 'githubRepo', 'projectPage', 'githubStars',
  'keywords', 'aiSummary', 'organization', 'categories', 'sources', 'firstSeenAt', 'lastSeenAt',
] as const satisfies readonly (keyof Paper)[];

/** The personal marks every output record ends with (the cache keeps them apart from the paper). */
export const MARK_FIELDS = ['seen', 'starred', 'hidden', 'tags', 'note'] as const satisfies readonly (keyof Paper)[];

/** The fields of an output record, in the contract's order: the paper's, then its marks. */
export const RECORD_FIELDS = [...PAPER_FIELDS, ...MARK_FIELDS] as const;

/** A record with every field present: null or [] where the listing said nothing. */
export function emptyPaper(title: string, source: SourceName): ParsedPaper {
  return {
    id: null, title, summary: null, authors: [], authorCount: null, publishedAt: null,
    announcedAt: null, updatedAt: null, arxivAnnounce: null, versions: [], dailyDate: null, upvotes: null, comments: null, url: null, arxivUrl: null, pdfUrl: null,
    githubRepo: null, projectPage: null, githubStars: null, keywords: [], aiSummary: null,
    organization: null, categories: [], sources: [source],
  };
}

/** A parsed listing: the papers in listing order, and the list's own date when it has one. */
export interface Listing {
  papers: ParsedPaper[];
  /** The date of the daily list (YYYY-MM-DD) when the listing is one day's list. */
  date: string | null;
  /** How the listing was recognised, e.g. "hf-api", "hf-page", "hf-page-cards". */
  format: string;
}

/** A paper's day, as lists and exports group by it: its daily list, else its arXiv date. */
export function paperDay(p: Pick<Paper, 'dailyDate' | 'publishedAt'>): string | null {
  return p.dailyDate ?? p.publishedAt;
}

/**
 * The year and month an arXiv id was given out, `YYYY-MM`: `2302.01234` is February 2023,
 * `astro-ph/0601001` January 2006. Null for anything else.
 */
export function monthOfArxivId(id: string | null): string | null {
  const m = id === null ? null : (/^(\d{2})(\d{2})\.\d{4,5}$/.exec(id) ?? /^[a-z-]+(?:\.[A-Z]{2})?\/(\d{2})(\d{2})\d{3}$/.exec(id));
  if (!m) return null;
  const yy = Number(m[1]);
  const mm = Number(m[2]);
  if (mm < 1 || mm > 12) return null;
  // Old-style ids began in 1991; new-style ones in 2007 (0704).
  const year = yy >= 91 ? 1900 + yy : 2000 + yy;
  return `${year}-${String(mm).padStart(2, '0')}`;
}

/**
 * The best date a paper has for citing and feeds: its arXiv date, else its announcement, else
 * its daily list, else the month of its arXiv id (`YYYY-MM`). Null when none is known.
 */
export function citationDate(p: Pick<Paper, 'publishedAt' | 'dailyDate' | 'id'> & { announcedAt?: string | null }): string | null {
  return p.publishedAt ?? p.announcedAt ?? p.dailyDate ?? monthOfArxivId(p.id);
}
