/**
 * The field-by-field merge of what listings say about a paper, as pure functions (no SQLite).
 *
 * The stored record is a function of the set of listings seen, not of their order: each field
 * keeps, beside its value, what decides between two values (its provenance), and merging takes
 * the better of the two by a fixed rule per field, which is commutative and associative:
 * - arXiv metadata (title, abstract, authors, categories, dates of versions, comment, journal
 *   ref, DOI): arXiv API > arXiv listing > HF API > HF page > HF search > copied text > other;
 * - Hugging Face fields (links, keywords, AI summary, organization): HF API > HF page > HF
 *   search > copied text > arXiv API > arXiv listing > other;
 * - counts (upvotes, comments, stars): the newest observation, by the time it was made;
 * - dailyDate and announcedAt: the earliest; updatedAt: the latest; arxivAnnounce: from the
 *   latest listing day; versions: every version known; sources: every source.
 * Between two values of equal rank the later observation wins, and at the same time a fixed
 * order of the values (for authors, the longer list always first), so that no order of
 * arrival can change the outcome. Observation times are the times listings were stored at.
 */
import type { OriginKind, Paper, ParsedPaper, SourceName, Version } from '../record.js';

/** The order `sources` is kept in. */
const SOURCE_ORDER: readonly SourceName[] = ['hf', 'arxiv', 'import'];

const ARXIV_RANK: Record<OriginKind, number> = {
  // arXiv's own metadata (API, OAI-PMH, the snapshot) is authoritative; its feed ranks like its listing.
  'arxiv-api': 7, 'arxiv-oai': 7, 'arxiv-snapshot': 7, 'arxiv-listing': 6, 'arxiv-feed': 6, 'hf-api': 5, 'hf-page': 4, 'hf-search': 3, 'hf-copied': 2, import: 1,
};
const HF_RANK: Record<OriginKind, number> = {
  'hf-api': 7, 'hf-page': 6, 'hf-search': 5, 'hf-copied': 4, 'arxiv-api': 3, 'arxiv-oai': 3, 'arxiv-snapshot': 3, 'arxiv-listing': 2, 'arxiv-feed': 2, import: 1,
};

/** Fields decided by the rank of the kind of source that gave them. */
const ARXIV_FIELDS = ['title', 'summary', 'authors', 'categories', 'publishedAt', 'arxivComment', 'journalRef', 'doi', 'arxivUrl', 'pdfUrl'] as const;
const HF_FIELDS = ['url', 'githubRepo', 'projectPage', 'keywords', 'aiSummary', 'organization'] as const;
const COUNT_FIELDS = ['upvotes', 'comments', 'githubStars'] as const;
type RankedField = (typeof ARXIV_FIELDS)[number] | (typeof HF_FIELDS)[number];
type CountField = (typeof COUNT_FIELDS)[number];

/** What decides between two values of a field: stored with the record (the provenance column). */
export interface Provenance {
  /** The rank of the kind of source each ranked field's value came from. */
  rank: Partial<Record<RankedField, number>>;
  /** When each ranked field's value and each count was last observed. */
  at: Partial<Record<RankedField | CountField, string>>;
  /** The day of the arXiv listing arxivAnnounce came from. */
  announcedIn?: string;
  /**
   * Inputs the record holds and can take again without a merge: by kind of source, the digest
   * of the last input of that kind (ingest.ts) and which fields it gave (inputMask).
   */
  inputs?: Partial<Record<OriginKind, [digest: string, fields: number]>>;
}

export interface Stamped {
  paper: Paper;
  prov: Provenance;
}

export const emptyProvenance = (): Provenance => ({ rank: {}, at: {} });

const isEmpty = (v: unknown): boolean => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || v === '';

/** The kind of source a parsed paper came from (parsers say; older callers get their source's API). */
export function originOf(p: ParsedPaper): OriginKind {
  if (p.origin) return p.origin;
  if (p.sources.includes('arxiv')) return 'arxiv-api';
  if (p.sources.includes('hf')) return 'hf-api';
  return 'import';
}

/** A parsed paper observed at `now`, as a record with its provenance. */
export function stamp(p: ParsedPaper, now: string): Stamped {
  const origin = originOf(p);
  const { origin: _origin, listedOn, ...fields } = p;
  const paper = ordered({ ...fields, firstSeenAt: now, lastSeenAt: now });
  const prov = emptyProvenance();
  for (const f of ARXIV_FIELDS) if (!isEmpty(paper[f])) [prov.rank[f], prov.at[f]] = [ARXIV_RANK[origin], now];
  for (const f of HF_FIELDS) if (!isEmpty(paper[f])) [prov.rank[f], prov.at[f]] = [HF_RANK[origin], now];
  for (const f of COUNT_FIELDS) if (paper[f] !== null && paper[f] !== undefined) prov.at[f] = now;
  if (paper.arxivAnnounce && listedOn) prov.announcedIn = listedOn;
  return { paper, prov };
}

/** A total order on field values, for a tie of ranks: by JSON text. */
function valueOrder(a: unknown, b: unknown): number {
  // One value met twice (a record merged with itself, as a new row is stored) needs no text.
  if (a === b) return 0;
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function laterOrNull(a: string | null | undefined, b: string | null | undefined, earliest: boolean): string | null {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  return earliest ? (a < b ? a : b) : (a > b ? a : b);
}

/**
 * Every version either side knows, by number: the earliest day stated (a missing day never
 * replaces a known one) and a size where either states one (of two that differ, the smaller
 * text: a minimum, so the merge stays order-free).
 */
function mergeVersions(a: Version[], b: Version[]): Version[] {
  const by = new Map<number, Version>();
  for (const v of [...a, ...b]) {
    const d = by.get(v.version);
    if (d === undefined) {
      by.set(v.version, v);
      continue;
    }
    const date = laterOrNull(d.date, v.date, true);
    const size = d.size && v.size ? (d.size < v.size ? d.size : v.size) : (d.size || v.size);
    by.set(v.version, { version: v.version, date, ...(size ? { size } : {}) });
  }
  return [...by.values()].sort((x, y) => x.version - y.version).map((v) => (v.size ? { version: v.version, date: v.date ?? null, size: v.size } : { version: v.version, date: v.date ?? null }));
}

/**
 * Merge two records of one paper with their provenance. Commutative and associative in every
 * field but lastSeenAt (the later) and firstSeenAt (the earlier), which are times of arrival.
 */
export function mergeStamped(a: Stamped, b: Stamped): Stamped {
  const out: Record<string, unknown> = {};
  const prov = emptyProvenance();
  const pa = a.paper;
  const pb = b.paper;
  for (const f of [...ARXIV_FIELDS, ...HF_FIELDS]) {
    const va = pa[f] ?? null;
    const vb = pb[f] ?? null;
    const ra = isEmpty(va) ? -1 : (a.prov.rank[f] ?? 0);
    const rb = isEmpty(vb) ? -1 : (b.prov.rank[f] ?? 0);
    let takeA: boolean;
    // An author list never shrinks to a shorter one (a card or copied text may list a few).
    const la = f === 'authors' ? ((va as string[] | null)?.length ?? 0) : 0;
    const lb = f === 'authors' ? ((vb as string[] | null)?.length ?? 0) : 0;
    const ta = a.prov.at[f] ?? '';
    const tb = b.prov.at[f] ?? '';
    if (la !== lb) takeA = la > lb;
    else if (ra !== rb) takeA = ra > rb;
    else if (ta !== tb) takeA = ta > tb;
    else takeA = valueOrder(va, vb) >= 0;
    out[f] = takeA ? va : vb;
    const r = takeA ? ra : rb;
    if (r >= 0) prov.rank[f] = r;
    const t = takeA ? ta : tb;
    if (r >= 0 && t) prov.at[f] = t;
  }
  for (const f of COUNT_FIELDS) {
    const va = pa[f] ?? null;
    const vb = pb[f] ?? null;
    const ta = va === null ? null : (a.prov.at[f] ?? '');
    const tb = vb === null ? null : (b.prov.at[f] ?? '');
    let takeA: boolean;
    if (tb === null) takeA = true;
    else if (ta === null) takeA = false;
    else takeA = ta !== tb ? ta > tb : (va as number) >= (vb as number);
    out[f] = takeA ? va : vb;
    const t = takeA ? ta : tb;
    if (t !== null) prov.at[f] = t;
  }
  const authors = out.authors as string[] | null ?? [];
  out.authors = authors;
  const counts = [pa.authorCount, pb.authorCount].filter((n): n is number => typeof n === 'number');
  out.authorCount = authors.length > 0 ? Math.max(authors.length, ...counts) : counts.length > 0 ? Math.max(...counts) : null;
  out.categories ??= [];
  out.keywords ??= [];
  out.dailyDate = laterOrNull(pa.dailyDate, pb.dailyDate, true);
  out.announcedAt = laterOrNull(pa.announcedAt, pb.announcedAt, true);
  out.updatedAt = laterOrNull(pa.updatedAt, pb.updatedAt, false);
  out.versions = mergeVersions(pa.versions ?? [], pb.versions ?? []);
  // arxivAnnounce: the latest listing's section; a value of unknown listing day counts as oldest.
  const da = pa.arxivAnnounce ? (a.prov.announcedIn ?? '') : null;
  const db = pb.arxivAnnounce ? (b.prov.announcedIn ?? '') : null;
  const takeA = db === null || (da !== null && (da !== db ? da > db : valueOrder(pa.arxivAnnounce, pb.arxivAnnounce) >= 0));
  out.arxivAnnounce = takeA ? (pa.arxivAnnounce ?? null) : pb.arxivAnnounce;
  const day = takeA ? da : db;
  if (day) prov.announcedIn = day;
  out.id = pa.id ?? pb.id;
  out.sources = SOURCE_ORDER.filter((s) => pa.sources.includes(s) || pb.sources.includes(s));
  out.firstSeenAt = pa.firstSeenAt < pb.firstSeenAt ? pa.firstSeenAt : pb.firstSeenAt;
  out.lastSeenAt = pa.lastSeenAt > pb.lastSeenAt ? pa.lastSeenAt : pb.lastSeenAt;
  return { paper: ordered(out as unknown as Paper), prov };
}

/** Every field of a record, in one order: two records built here compare key by key. */
const RECORD_KEYS: readonly (keyof Paper)[] = [
  'id', 'title', 'summary', 'authors', 'authorCount', 'publishedAt', 'announcedAt', 'updatedAt', 'arxivAnnounce',
  'versions', 'dailyDate', 'upvotes', 'comments', 'url', 'arxivUrl', 'pdfUrl', 'githubRepo', 'projectPage',
  'githubStars', 'keywords', 'aiSummary', 'organization', 'categories', 'sources', 'firstSeenAt', 'lastSeenAt',
  'journalRef', 'arxivComment', 'doi',
];

function ordered(p: Paper): Paper {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_KEYS) out[k] = p[k] ?? (k === 'versions' ? [] : null);
  return out as unknown as Paper;
}

/**
 * The fields a mask counts, one bit each in this order: an input's fields, and the stored
 * provenance (encodeProvenance). Masks are stored, so new fields only ever go at the end.
 */
const INPUT_FIELDS = [...ARXIV_FIELDS, ...HF_FIELDS, ...COUNT_FIELDS] as const;

/** The fields a mask names. */
const fieldsOf = (mask: number) => INPUT_FIELDS.filter((_, i) => mask & (1 << i));

/**
 * The provenance as a row stores it: each rank and each time once, with a mask of the fields
 * that have it (`r`, `a`), instead of per field by name. A record's fields nearly all share one
 * rank and one time, so this is ~100 bytes where the form by name took ~500 (an eighth of a
 * cache's size). Keys are sorted: the same provenance is always the same text.
 */
export function encodeProvenance(prov: Provenance): string {
  const group = (values: Partial<Record<string, string | number>>) => {
    const masks = new Map<string, number>();
    INPUT_FIELDS.forEach((f, i) => {
      const v = values[f];
      if (v !== undefined) masks.set(String(v), (masks.get(String(v)) ?? 0) | (1 << i));
    });
    return Object.fromEntries([...masks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
  return JSON.stringify({ r: group(prov.rank), a: group(prov.at), ...(prov.announcedIn ? { announcedIn: prov.announcedIn } : {}), ...(prov.inputs ? { inputs: prov.inputs } : {}) });
}

/** A row's stored provenance, in either form (by name, as rows written before the masks hold it); none: every value of rank 0. */
export function decodeProvenance(text: string | null | undefined): Provenance {
  const stored = JSON.parse(text ?? '{}') as Partial<Provenance> & { r?: Record<string, number>; a?: Record<string, number> };
  const byMask = <T>(groups: Record<string, number>, value: (key: string) => T) => {
    const out: Record<string, T> = {};
    for (const [key, mask] of Object.entries(groups)) for (const f of fieldsOf(mask)) out[f] = value(key);
    return out;
  };
  return {
    rank: stored.r ? byMask(stored.r, Number) : stored.rank ?? {},
    at: stored.a ? byMask(stored.a, String) : stored.at ?? {},
    ...(stored.announcedIn ? { announcedIn: stored.announcedIn } : {}),
    ...(stored.inputs ? { inputs: stored.inputs } : {}),
  };
}

/**
 * Whether merging `incoming` into a record again later, observed at any time not before the
 * record's firstSeenAt, changes nothing but when values were seen; if so, which fields' times
 * it moves (a bit per INPUT_FIELDS entry), else null.
 *
 * Each ranked field is the greatest of its values by (length of an author list, rank, time,
 * value) and the join fields (days, versions, sources, arxivAnnounce) only grow, so taking an
 * input twice is taking it once at the later time. That moves only times when every field the
 * input gives either holds the input's value at its rank (then the field's time becomes the
 * later of the two: a bit of the mask) or is held by a value that beats it by length or rank,
 * never by time alone; and when every count it gives is the count held.
 */
export function inputMask(merged: Stamped, incoming: Stamped): number | null {
  let mask = 0;
  const m = merged.paper;
  const p = incoming.paper;
  for (const [i, f] of INPUT_FIELDS.entries()) {
    const v = p[f] ?? null;
    if ((COUNT_FIELDS as readonly string[]).includes(f)) {
      if (v === null) continue;
      if (m[f] !== v) return null;
      mask |= 1 << i;
      continue;
    }
    const rf = f as RankedField;
    if (isEmpty(v)) continue;
    const rank = incoming.prov.rank[rf];
    if (merged.prov.rank[rf] === rank && (m[rf] === v || JSON.stringify(m[rf] ?? null) === JSON.stringify(v))) {
      mask |= 1 << i;
      continue;
    }
    const held = f === 'authors' ? (m.authors?.length ?? 0) : 0;
    const given = f === 'authors' ? (p.authors?.length ?? 0) : 0;
    if (held === given && (merged.prov.rank[rf] ?? 0) === (rank ?? 0)) return null;
  }
  return mask;
}

/**
 * When fields were last seen unchanged (paper_seen.field_times): by field, and by an input's
 * mask ('@' and its number: each field it names was seen then), which keeps a paper taken again
 * without a merge to one short entry instead of a time per field.
 */
export type SeenTimes = Record<string, string>;

/** The times of the fields an input's mask names, moved to `at` where that is later. */
export function moveInputTimes(times: SeenTimes, mask: number, at: string): boolean {
  const key = `@${mask}`;
  if (mask === 0 || (times[key] ?? '') >= at) return false;
  times[key] = at;
  return true;
}

/** Field times as kept (SeenTimes), by field: the later of a field's own time and its masks'. */
export function seenFieldTimes(times: SeenTimes): Provenance['at'] {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(times)) {
    if (!k.startsWith('@')) {
      if ((out[k] ?? '') < t) out[k] = t;
      continue;
    }
    for (const f of fieldsOf(Number(k.slice(1)))) if ((out[f] ?? '') < t) out[f] = t;
  }
  return out as Provenance['at'];
}

/** The same provenance, apart from when values were seen (those move without a row write). */
export function sameRanks(a: Provenance, b: Provenance): boolean {
  return JSON.stringify(a.rank, Object.keys(a.rank).sort()) === JSON.stringify(b.rank, Object.keys(b.rank).sort())
    && (a.announcedIn ?? null) === (b.announcedIn ?? null);
}

/**
 * Merge what a listing says about a paper into what the cache knows, without provenance:
 * the stored record's values count as of rank 0 (known, of unknown source). For tests and
 * callers that have no stored provenance.
 */
export function mergePaper(old: Paper, incoming: ParsedPaper, now: string): Paper {
  return mergeStamped({ paper: old, prov: emptyProvenance() }, stamp(incoming, now)).paper;
}

/** True when two records differ in anything but lastSeenAt (null and a missing field are alike). */
export function differs(a: Paper, b: Paper): boolean {
  for (const k of Object.keys(a) as (keyof Paper)[]) {
    if (k === 'lastSeenAt') continue;
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && JSON.stringify(x) === JSON.stringify(y)) continue;
    return true;
  }
  return false;
}
