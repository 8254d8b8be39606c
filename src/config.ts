/** The user's config file: topics, source settings, defaults. Read once, validated. */
import { readFileSync } from 'node:fs';
import { ARXIV_CATEGORIES, isArxivCategory } from './categories.js';
import { PapersError } from './errors.js';
import { isIsoDate } from './dates.js';
import { closest } from './text.js';
import { messages } from './output.js';
import { queryToFts } from './query.js';
import { defaultConfigPath } from './paths.js';

export interface Config {
  topics: Record<string, string>;
  sources: { arxiv?: { categories?: string[]; harvest?: { set: string | null; from: string | null } } };
  defaults: { limit?: number; sort?: ConfigSort; markSeen?: boolean };
}

/** The orders `defaults.sort` may name (relevance needs a text query, so it is not one of them). */
const CONFIG_SORTS = ['upvotes', 'date', 'title', 'rising'] as const;
export type ConfigSort = (typeof CONFIG_SORTS)[number];
const isConfigSort = (v: unknown): v is ConfigSort => (CONFIG_SORTS as readonly unknown[]).includes(v);

const KNOWN_KEYS = ['topics', 'sources', 'defaults'];

export function emptyConfig(): Config {
  return { topics: {}, sources: {}, defaults: {} };
}

/** Where a JSON.parse error sits, as "line L, column C", from V8's message. */
function jsonErrorPlace(text: string, err: Error): string {
  const pos = /position (\d+)/.exec(err.message);
  if (!pos) return '';
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${col}`;
}

/** Parse config text; a broken file is a clear error naming the file and the line. */
export function parseConfig(text: string, path: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PapersError(`the config file ${path} is not valid JSON${jsonErrorPlace(text, err as Error)}`, {
      cause: err,
      hint: 'fix the file or move it away; papers will not overwrite it',
    });
  }
  const bad = (what: string) =>
    new PapersError(`the config file ${path}: ${what}`, { hint: 'see "Configuration" in the README, or papers config --help' });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected a JSON object');
  const obj = raw as Record<string, unknown>;
  const config = emptyConfig();
  // A key papers does not know is most likely a typo: say so, but read the rest.
  for (const key of Object.keys(obj)) if (!KNOWN_KEYS.includes(key)) messages.warn(`the config file ${path}: unknown key "${key}" (known: ${KNOWN_KEYS.join(', ')})`);
  if (obj.defaults && typeof obj.defaults === 'object') {
    const known = ['limit', 'sort', 'markSeen'];
    for (const key of Object.keys(obj.defaults)) if (!known.includes(key)) messages.warn(`the config file ${path}: unknown key "defaults.${key}" (known: ${known.map((k) => `defaults.${k}`).join(', ')})`);
  }
  if (obj.topics !== undefined) {
    if (typeof obj.topics !== 'object' || obj.topics === null || Array.isArray(obj.topics)) throw bad('"topics" must be an object of name → query');
    for (const [name, q] of Object.entries(obj.topics)) {
      if (typeof q !== 'string') throw bad(`topic "${name}" must be a query string`);
      try {
        queryToFts(q, `topic ${name}`);
      } catch (err) {
        // A query that cannot be parsed is wrong in the file, not on the command line: exit 1.
        throw new PapersError(`the config file ${path}: ${(err as Error).message}`, { cause: err, hint: `fix topic "${name}" with papers config set topics.${name} <query>, or papers config edit` });
      }
      config.topics[name] = q;
    }
  }
  if (obj.sources !== undefined) {
    const arxiv = (obj.sources as Record<string, unknown> | null)?.arxiv as Record<string, unknown> | undefined;
    if (arxiv?.categories !== undefined) {
      if (!Array.isArray(arxiv.categories) || !arxiv.categories.every((c) => typeof c === 'string')) throw bad('"sources.arxiv.categories" must be a list of category names');
      const wrong = (arxiv.categories as string[]).find((c) => !isArxivCategory(c.trim()));
      if (wrong !== undefined) {
        const near = closest(wrong.trim(), ARXIV_CATEGORIES);
        throw bad(`"sources.arxiv.categories": '${wrong}' is not an arXiv category (${near ? `did you mean ${near}?` : 'e.g. cs.LG, math.GT, astro-ph'})`);
      }
      config.sources.arxiv = { categories: [...new Set((arxiv.categories as string[]).map((c) => c.trim()))] };
    }
    if (arxiv?.harvest !== undefined) {
      // An OAI-PMH harvest that sync keeps up to date: {"set": "cs", "from": "2024-01-01"}.
      const h = arxiv.harvest as Record<string, unknown> | null;
      if (h === null || typeof h !== 'object' || Array.isArray(h)) throw bad('"sources.arxiv.harvest" must be an object like {"set": "cs", "from": "2024-01-01"}');
      if (h.set !== undefined && (typeof h.set !== 'string' || !/^[A-Za-z0-9:._-]+$/.test(h.set))) throw bad('"sources.arxiv.harvest.set" must be an OAI-PMH set such as cs, math or physics:hep-th');
      if (h.from !== undefined && (typeof h.from !== 'string' || !isIsoDate(h.from))) throw bad('"sources.arxiv.harvest.from" must be a day, YYYY-MM-DD');
      for (const key of Object.keys(h)) if (key !== 'set' && key !== 'from') messages.warn(`the config file ${path}: unknown key "sources.arxiv.harvest.${key}" (known: sources.arxiv.harvest.set, sources.arxiv.harvest.from)`);
      config.sources.arxiv = { ...config.sources.arxiv, harvest: { set: (h.set as string | undefined) ?? null, from: (h.from as string | undefined) ?? null } };
    }
  }
  if (obj.defaults !== undefined) {
    const d = obj.defaults as Record<string, unknown>;
    if (d.limit !== undefined) {
      if (!Number.isInteger(d.limit) || (d.limit as number) < 1) throw bad('"defaults.limit" must be a positive integer');
      config.defaults.limit = d.limit as number;
    }
    if (d.sort !== undefined) {
      if (!isConfigSort(d.sort)) throw bad(`"defaults.sort" must be one of ${CONFIG_SORTS.join(', ')}`);
      config.defaults.sort = d.sort;
    }
    if (d.markSeen !== undefined) {
      if (typeof d.markSeen !== 'boolean') throw bad('"defaults.markSeen" must be true or false');
      config.defaults.markSeen = d.markSeen;
    }
  }
  return config;
}

/** Load the config; a missing file is an empty config. */
export function loadConfig(path: string = defaultConfigPath()): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw new PapersError(`cannot read the config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(text, path);
}
