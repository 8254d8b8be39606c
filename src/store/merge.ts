/**
 * The field-by-field merge of what a listing says about a paper into what the cache knows.
 * Pure functions: no SQLite, tested on their own.
 */
import type { Paper, ParsedPaper } from '../record.js';
import { SOURCE_ORDER } from './columns.js';

/**
 * Merge `incoming` into `old`. A field the listing did not give (null, or an empty list) never
 * erases a known one; counts take the latest value; sources accumulate; an author list never
 * shrinks to a shorter one.
 */
export function mergePaper(old: Paper, incoming: ParsedPaper, now: string): Paper {
  const pick = <T>(a: T | null, b: T | null): T | null => (a ?? b);
  const list = (a: string[], b: string[]): string[] => (a.length > 0 ? a : b);
  const authors = incoming.authors.length >= old.authors.length ? incoming.authors : old.authors;
  const sources = SOURCE_ORDER.filter((s) => old.sources.includes(s) || incoming.sources.includes(s));
  return {
    id: old.id ?? incoming.id,
    title: incoming.title || old.title,
    summary: pick(incoming.summary, old.summary),
    authors,
    authorCount: authors.length > 0 ? Math.max(authors.length, incoming.authorCount ?? 0) : pick(incoming.authorCount, old.authorCount),
    publishedAt: pick(incoming.publishedAt, old.publishedAt),
    dailyDate: pick(incoming.dailyDate, old.dailyDate),
    upvotes: pick(incoming.upvotes, old.upvotes),
    comments: pick(incoming.comments, old.comments),
    url: pick(incoming.url, old.url),
    arxivUrl: pick(incoming.arxivUrl, old.arxivUrl),
    pdfUrl: pick(incoming.pdfUrl, old.pdfUrl),
    githubRepo: pick(incoming.githubRepo, old.githubRepo),
    projectPage: pick(incoming.projectPage, old.projectPage),
    githubStars: pick(incoming.githubStars, old.githubStars),
    keywords: list(incoming.keywords, old.keywords),
    aiSummary: pick(incoming.aiSummary, old.aiSummary),
    organization: pick(incoming.organization, old.organization),
    categories: list(incoming.categories, old.categories),
    sources,
    firstSeenAt: old.firstSeenAt,
    lastSeenAt: now,
    journalRef: pick(incoming.journalRef ?? null, old.journalRef ?? null),
    arxivComment: pick(incoming.arxivComment ?? null, old.arxivComment ?? null),
    doi: pick(incoming.doi ?? null, old.doi ?? null),
  };
}

/**
 * Fold a record known only by its title (`titleOnly`) into the record with its id (`withId`),
 * now that a listing tied the two together: the earlier first sighting is kept.
 */
export function foldTitleOnly(withId: Paper, titleOnly: Paper, now: string): Paper {
  const merged = mergePaper(withId, titleOnly, now);
  merged.firstSeenAt = titleOnly.firstSeenAt < withId.firstSeenAt ? titleOnly.firstSeenAt : withId.firstSeenAt;
  return merged;
}

/** True when two records differ in anything but lastSeenAt (null and a missing field are alike). */
export function differs(a: Paper, b: Paper): boolean {
  for (const k of Object.keys(a) as (keyof Paper)[]) {
    if (k === 'lastSeenAt') continue;
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i])) continue;
    return true;
  }
  return false;
}
