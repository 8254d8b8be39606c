/** The one paper record of the contract (../shared/CONTRACT.md, "The paper record"). */
export type SourceName = 'hf' | 'arxiv' | 'import';

export interface Paper {
  id: string | null;
  title: string;
  summary: string | null;
  authors: string[];
  authorCount: number | null;
  publishedAt: string | null;
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

/** What a parser produces: a record before the cache has seen it (no timestamps yet). */
export type ParsedPaper = Omit<Paper, 'firstSeenAt' | 'lastSeenAt'>;

/** The contract's field order; every output uses it. */
export const PAPER_FIELDS = [
  'id', 'title', 'summary', 'authors', 'authorCount', 'publishedAt', 'dailyDate', 'upvotes',
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
    dailyDate: null, upvotes: null, comments: null, url: null, arxivUrl: null, pdfUrl: null,
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
