/** The user's config file: topics, source settings, defaults. Read once, validated. */
import { readFileSync } from 'node:fs';
import { PapersError } from './errors.js';
import { defaultConfigPath } from './paths.js';

export interface Config {
  topics: Record<string, string>;
  sources: { arxiv?: { categories?: string[] } };
  defaults: { limit?: number; sort?: string; markSeen?: boolean };
}

/** The orders `defaults.sort` may name (relevance is the default of a text query anyway). */
const CONFIG_SORTS = ['upvotes', 'date', 'title', 'rising'];

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
    new PapersError(`the config file ${path}: ${what}`, { hint: 'see "Configuration" in the README' });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected a JSON object');
  const obj = raw as Record<string, unknown>;
  const config = emptyConfig();
  if (obj.topics !== undefined) {
    if (typeof obj.topics !== 'object' || obj.topics === null || Array.isArray(obj.topics)) throw bad('"topics" must be an object of name → query');
    for (const [name, q] of Object.entries(obj.topics)) {
      if (typeof q !== 'string') throw bad(`topic "${name}" must be a query string`);
      config.topics[name] = q;
    }
  }
  if (obj.sources !== undefined) {
    const arxiv = (obj.sources as Record<string, unknown> | null)?.arxiv as Record<string, unknown> | undefined;
    if (arxiv?.categories !== undefined) {
      if (!Array.isArray(arxiv.categories) || !arxiv.categories.every((c) => typeof c === 'string')) throw bad('"sources.arxiv.categories" must be a list of category names');
      const wrong = (arxiv.categories as string[]).find((c) => !/^[a-z-]+(\.[A-Za-z-]+)?$/.test(c.trim()));
      if (wrong !== undefined) throw bad(`"sources.arxiv.categories": '${wrong}' is not an arXiv category (e.g. cs.LG, math.GT, astro-ph)`);
      config.sources.arxiv = { categories: [...new Set((arxiv.categories as string[]).map((c) => c.trim()))] };
    }
  }
  if (obj.defaults !== undefined) {
    const d = obj.defaults as Record<string, unknown>;
    if (d.limit !== undefined) {
      if (!Number.isInteger(d.limit) || (d.limit as number) < 1) throw bad('"defaults.limit" must be a positive integer');
      config.defaults.limit = d.limit as number;
    }
    if (d.sort !== undefined) {
      if (typeof d.sort !== 'string' || !CONFIG_SORTS.includes(d.sort)) throw bad(`"defaults.sort" must be one of ${CONFIG_SORTS.join(', ')}`);
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
