/**
 * arXiv's daily announcement feeds (`rss.arxiv.org/atom/cs.LG+cs.CL`, and the RSS 2.0 form
 * `rss.arxiv.org/rss/…`) as records.
 *
 * Decisions:
 * - announcedAt is the announcement's own day as arXiv dates it (the feed is rebuilt at
 *   midnight US Eastern and stamps that midnight with its offset, e.g. `…T00:00:00-04:00`):
 *   the date written in the timestamp, not its UTC conversion, which could be the day before.
 *   An item's own `published`/`pubDate` wins over the feed's date.
 * - publishedAt stays null: an announcement is not the first version's day (a replacement's
 *   paper appeared long before), so it never fills it.
 * - The item's version (`oai:arXiv.org:2410.17243v2`) gives `versions` nothing (no date for the
 *   version); it comes back as `version` alongside the record.
 * - A feed with no items (weekends, holidays) is an empty result, not a failure.
 */
import { ParseError } from '../../errors.js';
import { bareArxivId } from '../../ids.js';
import { cleanText } from '../../text.js';
import { arxivPaper, rfc2822Day, splitAuthors, type ArxivAnnounce, type ArxivPaper } from './oai.js';
import { localName, readXml } from './xml.js';

export interface FeedEntry {
  paper: ArxivPaper;
  /** The version the item announces (2 for `2410.17243v2`), or null when the id had none. */
  version: number | null;
}

export interface ArxivFeed {
  papers: ArxivPaper[];
  entries: FeedEntry[];
  /** The announcement day of the feed (YYYY-MM-DD), or null when it states none. */
  date: string | null;
  format: 'arxiv-feed-atom' | 'arxiv-feed-rss';
}

const ANNOUNCE: readonly ArxivAnnounce[] = ['new', 'cross', 'replace', 'replace-cross'];
const HINT = 'not an arXiv feed papers recognises; the feed format may have changed — please report it with --verbose';


/** The day written in an ISO timestamp (`2024-10-25T00:00:00-04:00` → 2024-10-25) or an RFC 2822 date. */
function announcementDay(s: string | null): string | null {
  if (s === null) return null;
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(s);
  if (iso) return rfc2822Day(iso[1]);
  // RFC 2822 (`Fri, 25 Oct 2024 00:00:00 -0400`): the written day, whatever the zone.
  return rfc2822Day(s.replace(/\s+(?:[+-]\d{4}|[A-Z]{1,4})\s*$/, ' GMT'));
}

/** The abstract without arXiv's "arXiv:<id>vN Announce Type: new Abstract:" prefix. */
export function stripAnnouncePrefix(s: string | null): string | null {
  if (s === null) return null;
  return cleanText(s.replace(/^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?/i, ''));
}

/**
 * An arXiv Atom or RSS feed. Throws ParseError when the text is not a feed, or an item has no
 * recognisable id or title.
 */
export async function parseArxivFeed(xml: string): Promise<ArxivFeed> {
  if (typeof xml !== 'string') throw new ParseError('not an arXiv feed (no text)', { hint: HINT });
  const { kids, text, textOf, tops } = readXml(xml);
  const top = tops().find((el) => (localName(el) === 'feed' || localName(el) === 'rss'));
  if (top === undefined) throw new ParseError('not an arXiv feed (no <feed> or <rss> element)', { hint: HINT });
  const atom = localName(top) === 'feed';
  const container = atom ? top : kids(top, 'channel')[0];
  if (container === undefined) throw new ParseError('an RSS feed without a <channel>', { hint: HINT });

  const feedDate = announcementDay(atom ? (text(container, 'updated') ?? text(container, 'published')) : (text(container, 'pubDate') ?? text(container, 'lastBuildDate')));
  const entries: FeedEntry[] = [];
  for (const item of kids(container, atom ? 'entry' : 'item')) {
    const rawId = (atom ? text(item, 'id') : text(item, 'guid')) ?? text(item, 'link') ?? '';
    const bare = rawId.replace(/^oai:arXiv\.org:/i, '').replace(/^https?:\/\/arxiv\.org\/abs\//i, '');
    const id = bareArxivId(bare);
    const title = text(item, 'title');
    if (id === null || title === null) throw new ParseError(`arXiv feed item without a recognisable id or title (${JSON.stringify(rawId.slice(0, 80))})`, { hint: HINT });
    const p = arxivPaper(id, title, 'arxiv-feed');
    const vm = /v(\d+)\s*$/.exec(bare);
    const rawSummary = atom ? text(item, 'summary') : text(item, 'description');
    p.summary = stripAnnouncePrefix(rawSummary);
    p.authors = splitAuthors(text(item, 'creator'));
    p.authorCount = p.authors.length > 0 ? p.authors.length : null;
    const cats = atom
      ? kids(item, 'category').map((c) => c.attribs.term ?? '')
      : kids(item, 'category').map((c) => textOf(c) ?? '');
    for (const c of cats) if (c && !p.categories.includes(c)) p.categories.push(c);
    // The element is the documented place; the summary's prefix says the same where it is missing.
    const type = text(item, 'announce_type') ?? /^\s*arXiv:\S+\s+Announce Type:\s*([\w-]+)/i.exec(rawSummary ?? '')?.[1] ?? null;
    p.arxivAnnounce = type !== null && (ANNOUNCE as readonly string[]).includes(type) ? (type as ArxivAnnounce) : null;
    p.announcedAt = announcementDay(atom ? (text(item, 'published') ?? text(item, 'updated')) : text(item, 'pubDate')) ?? feedDate;
    // The announcement's day decides whose section arxivAnnounce keeps (the latest), as for a listing.
    p.listedOn = p.announcedAt;
    entries.push({ paper: p, version: vm ? Number(vm[1]) : null });
  }
  return { papers: entries.map((e) => e.paper), entries, date: feedDate, format: atom ? 'arxiv-feed-atom' : 'arxiv-feed-rss' };
}
