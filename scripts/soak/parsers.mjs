/**
 * The fuzz registry: every parser of outside input, with the inputs to throw at it and what it
 * may do with them. A parser may return, or throw a PapersError subclass; anything else (a
 * TypeError, a RangeError, a bare Error) is a bug. A new parser is one more entry here; the soak
 * run and the regression replay (test/soak-regressions.test.ts) both read this list.
 *
 * Inputs mix short arbitrary text with damaged copies of real fixtures (cut short, bytes
 * replaced, bytes inserted). Most damaged copies are a window of at most a few kilobytes of the
 * fixture, so that 100,000 inputs per parser fit in minutes on two cores; a small share (about
 * one input in two hundred) is the whole fixture damaged, so that whole pages are still parsed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { PapersError } from '../../dist/errors.js';
import { parseDailyPapersApi, parseHfPage, parseHfHydration, paperFromHfItem } from '../../dist/sources/hf/parse.js';
import { parseHfCopiedText } from '../../dist/sources/hf/copied-text.js';
import { parseArxivAtom, parseArxivListing } from '../../dist/sources/arxiv/parse.js';
import { parseOaiListRecords } from '../../dist/sources/arxiv/oai.js';
import { parseArxivFeed } from '../../dist/sources/arxiv/feed.js';
import { parseSnapshotLine } from '../../dist/sources/arxiv/snapshot.js';
import { recogniseListing, decodeInput } from '../../dist/import.js';
import { parseArxivId, bareArxivId } from '../../dist/ids.js';
import { parseDateArg } from '../../dist/dates.js';
import { queryToFts } from '../../dist/query.js';
import { parseConfig } from '../../dist/config.js';

const fixture = (name) => readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8');

/** A fixture damaged the ways downloads get damaged, within a window of at most `window` characters. */
export function damaged(text, window = text.length) {
  const piece = fc.nat({ max: Math.max(0, text.length - window) }).map((start) => text.slice(start, start + window));
  return piece.chain((t) =>
    fc.oneof(
      fc.nat({ max: t.length }).map((n) => t.slice(0, n)),
      fc.tuple(fc.nat({ max: Math.max(0, t.length - 1) }), fc.string({ minLength: 1, maxLength: 8 })).map(([i, s]) => t.slice(0, i) + s + t.slice(i + s.length)),
      fc.tuple(fc.nat({ max: t.length }), fc.string({ maxLength: 20, unit: 'binary' })).map(([i, s]) => t.slice(0, i) + s + t.slice(i)),
    ),
  );
}

/** Mostly a damaged window of `window` characters, rarely the whole fixture damaged. */
export function sized(text, window) {
  if (text.length <= window) return damaged(text);
  return fc.oneof({ arbitrary: damaged(text, window), weight: 199 }, { arbitrary: damaged(text), weight: 1 });
}

const text = (max = 300) => fc.oneof(fc.string({ maxLength: max }), fc.string({ maxLength: max, unit: 'binary' }), fc.string({ maxLength: max, unit: 'grapheme' }));

/** Words of a fixture glued together with markup and punctuation: text that looks almost right. */
function soup(source, tokens) {
  const words = [...new Set(source.match(/[A-Za-z0-9_.:/-]+|[<>{}[\]",=]/g) ?? [])].slice(0, 4000);
  return fc.array(fc.oneof(fc.constantFrom(...words), fc.constantFrom(...tokens)), { maxLength: 60 }).map((a) => a.join(' '));
}

const HF_API = fixture('hf/api-daily-papers-2024-08-01.derived.json');
const HF_ONE = fixture('hf/api-daily-papers-2026-03-06.one-item.json');
const HF_PAGE = fixture('hf/daily-2024-08-01.html');
const HF_PAPER = fixture('hf/paper-2509.24002.prettified.html');
const COPIED = fixture('hf/search-listing-2025-12-09.copied-text.excerpt.txt');
const ATOM = fixture('arxiv/api-query-all-testing-2026-04-12.xml');
const ATOM_OLD = fixture('arxiv/api-id-1111.2011v2-old-format-2016.xml');
const LISTING = fixture('arxiv/list-cs.LG-new.synthetic.html');
const LISTING_OLD = fixture('arxiv/list-cs.LG-new-2023-layout.synthetic.html');
const OAI_1 = fixture('arxiv/oai-listrecords-cs-page1.synthetic.xml');
const OAI_2 = fixture('arxiv/oai-listrecords-cs-page2.synthetic.xml');
const OAI_ERR = fixture('arxiv/oai-error-badResumptionToken.synthetic.xml');
const OAI_NONE = fixture('arxiv/oai-error-noRecordsMatch.synthetic.xml');
const FEED_ATOM = fixture('arxiv/feed-atom-cs.LG+cs.CL.synthetic.xml');
const FEED_RSS = fixture('arxiv/feed-rss-cs.LG.synthetic.xml');
const FEED_EMPTY = fixture('arxiv/feed-atom-empty-weekend.synthetic.xml');
const SNAPSHOT_LINES = [...fixture('arxiv/snapshot-sample.synthetic.jsonl').split('\n'), ...fixture('arxiv/snapshot-damaged.synthetic.jsonl').split('\n')].filter((l) => l.length > 0);

// One in-memory SQLite with the real full-text table, so that compiled queries run for real.
let ftsDb;
function fts() {
  if (!ftsDb) {
    ftsDb = new Database(':memory:');
    ftsDb.exec("CREATE VIRTUAL TABLE papers_fts USING fts5(title, summary, authors, keywords, categories, tokenize='porter unicode61 remove_diacritics 2')");
    ftsDb.prepare('INSERT INTO papers_fts VALUES (?, ?, ?, ?, ?)').run('Scaling laws for diffusion transformers', 'We study models', '["Ada Lovelace"]', '["diffusion"]', '["cs.LG"]');
  }
  return ftsDb;
}

const NOW = new Date('2026-06-15T12:00:00Z');
const IMPORT_OPTS = { asOf: '2025-12-09', asOfSource: 'from --as-of' };

/** @type {{ name: string, inputs: () => fc.Arbitrary<string>, parse: (s: string) => unknown }[]} */
export const PARSERS = [
  {
    name: 'hf-api-json',
    inputs: () => fc.oneof(text(), fc.json({ maxDepth: 5 }), sized(HF_ONE, 1500), sized(HF_API, 2000), soup(HF_ONE, ['{', '}', '[', ']', ':', ',', 'null', '"paper"', '"id"'])),
    parse: (s) => parseDailyPapersApi(s),
  },
  {
    name: 'hf-api-item',
    inputs: () => fc.oneof(fc.json({ maxDepth: 4 }), damaged(HF_ONE)),
    parse: (s) => {
      let item;
      try {
        item = JSON.parse(s);
      } catch {
        return null; // only values reach this parser: the JSON layer is the entry above
      }
      return paperFromHfItem(item);
    },
  },
  {
    name: 'hf-page',
    inputs: () => fc.oneof(text(), sized(HF_PAGE, 1000), sized(HF_PAPER, 1000), soup(HF_PAGE, ['<div>', '</div>', '<article>', 'data-props="', '{"', '<h3>', '<a href="/papers/'])),
    parse: (s) => parseHfPage(s),
  },
  {
    name: 'hf-hydration',
    inputs: () => fc.oneof(text(), sized(HF_PAGE, 1000), fc.json({ maxDepth: 4 }).map((j) => `<div data-target="DailyPapers" data-props="${j.replace(/"/g, '&quot;')}"></div>`)),
    parse: (s) => parseHfHydration(s),
  },
  {
    name: 'hf-copied-text',
    inputs: () => fc.oneof(text(600), sized(COPIED, 1500), soup(COPIED, ['\n', '·', 'Submitted by', 'upvotes', 'Dec 9', 'Published on'])),
    parse: (s) => parseHfCopiedText(s, { asOf: '2025-12-09' }),
  },
  {
    name: 'arxiv-atom',
    inputs: () => fc.oneof(text(), sized(ATOM, 1000), sized(ATOM_OLD, 1000), soup(ATOM, ['<entry>', '</entry>', '<feed>', '<id>', '</id>', '<title>', '<?xml version="1.0"?>'])),
    parse: (s) => parseArxivAtom(s),
  },
  {
    name: 'arxiv-listing',
    inputs: () => fc.oneof(text(), sized(LISTING, 1000), sized(LISTING_OLD, 1000), soup(LISTING, ['<dl id="articles">', '<dt>', '<dd>', '</dl>', 'arXiv:', '<h3>'])),
    parse: (s) => parseArxivListing(s),
  },
  {
    name: 'arxiv-oai',
    inputs: () => fc.oneof(text(), sized(OAI_1, 1000), damaged(OAI_2), damaged(OAI_ERR), damaged(OAI_NONE), soup(OAI_1, ['<OAI-PMH>', '</OAI-PMH>', '<record>', '</record>', '<responseDate>', '<resumptionToken>', '<arXivRaw>', '<id>', '<title>', '<version version="v1">', '<error code="badArgument">'])),
    parse: (s) => parseOaiListRecords(s),
  },
  {
    name: 'arxiv-feed',
    inputs: () => fc.oneof(text(), sized(FEED_ATOM, 1000), damaged(FEED_RSS), damaged(FEED_EMPTY), soup(FEED_ATOM, ['<feed>', '</feed>', '<entry>', '</entry>', '<rss>', '<item>', '<channel>', '<id>', '<title>', '<arxiv:announce_type>', 'oai:arXiv.org:'])),
    parse: (s) => parseArxivFeed(s),
  },
  {
    name: 'arxiv-snapshot-line',
    inputs: () =>
      fc.oneof(
        text(),
        fc.json({ maxDepth: 3 }),
        fc.constantFrom(...SNAPSHOT_LINES).chain((l) => damaged(l)),
        fc.record({ id: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('0704.0001', 'hep-th/9901001', '2401.00001v2', 'arXiv:2401.1')), title: fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null)), authors: fc.string({ maxLength: 40 }), authors_parsed: fc.anything({ maxDepth: 2 }), categories: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), versions: fc.array(fc.record({ version: fc.oneof(fc.string({ maxLength: 4 }), fc.constant('v1')), created: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('Mon, 2 Apr 2007 19:18:42 GMT')) }, { requiredKeys: [] }), { maxLength: 3 }), update_date: fc.anything({ maxDepth: 0 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      ),
    parse: (s) => parseSnapshotLine(s),
  },
  {
    name: 'import-recognition',
    inputs: () => fc.oneof(text(), sized(HF_ONE, 1000), sized(ATOM_OLD, 1000), sized(LISTING_OLD, 1000), sized(COPIED, 1000), sized(HF_PAGE, 1000), sized(OAI_1, 1000), sized(FEED_RSS, 1000), fc.constantFrom(...SNAPSHOT_LINES).chain((l) => damaged(l))),
    parse: (s) => recogniseListing(s, IMPORT_OPTS),
  },
  {
    name: 'import-decode',
    inputs: () => fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1')), text()),
    parse: (s) => decodeInput(Buffer.from(s, 'latin1')),
  },
  {
    name: 'ids',
    inputs: () => fc.oneof(text(60), fc.constantFrom('arXiv:', 'https://arxiv.org/abs/', 'https://huggingface.co/papers/', 'hep-th/', '2410.17243', 'v2', '.pdf', '/').chain((p) => text(30).map((s) => p + s))),
    parse: (s) => [parseArxivId(s), bareArxivId(s)],
  },
  {
    name: 'dates',
    inputs: () => fc.oneof(text(30), fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.constantFrom('d', 'w', 'm', 'y', '', '-01-01', '-02-30')).map(([n, u]) => `${n}${u}`), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
    parse: (s) => parseDateArg(s, '--since', NOW),
  },
  {
    name: 'query-sqlite',
    inputs: () => fc.oneof(text(120), fc.array(fc.oneof(fc.constantFrom('AND', 'OR', 'NOT', 'or', '(', ')', '"', '-', '*', 'title:', 'author:', 'abstract:', 'NEAR', '^', ':'), fc.string({ maxLength: 8 })), { maxLength: 20 }).map((a) => a.join(' '))),
    parse: (s) => {
      const q = queryToFts(s);
      const db = fts();
      // The compiled query runs against real SQLite; an SQLite error here is a bug (the
      // compiler let through something FTS5 cannot read).
      const clauses = [];
      const params = [];
      for (const [k, v] of Object.entries(q)) {
        if (typeof v === 'string' && (k === 'match' || k === 'notMatch')) {
          clauses.push(k === 'match' ? 'rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)' : 'rowid NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)');
          params.push(v);
        }
      }
      return db.prepare(`SELECT count(*) AS n FROM papers_fts${clauses.length ? ' WHERE ' + clauses.join(' AND ') : ''}`).get(...params);
    },
  },
  {
    name: 'config-file',
    inputs: () => fc.oneof(text(), fc.json({ maxDepth: 4 }), fc.record({ topics: fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 30 }), fc.integer())), sources: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o))),
    parse: (s) => parseConfig(s, '/tmp/config.json'),
  },
];

/** Run one input through one parser: resolves when it returned or threw a PapersError, rejects otherwise. */
export async function check(parser, input) {
  try {
    await parser.parse(input);
  } catch (err) {
    if (err instanceof PapersError) return;
    throw err;
  }
}
