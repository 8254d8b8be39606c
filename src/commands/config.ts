/**
 * `papers config path|get|set|unset|edit`: the config file without hand-editing JSON. Every
 * write is validated as the whole file (a change that would break it is refused) and atomic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { parseConfig } from '../config.js';
import { isIsoDate } from '../dates.js';
import { PapersError, UsageError } from '../errors.js';
import { tempBeside, writeTextAtomically } from '../files.js';
import { messages, writeChunks } from '../output.js';
import { defaultConfigPath } from '../paths.js';
import { queryToFts } from '../query.js';
import { closest } from '../text.js';

/** The keys `get`, `set` and `unset` know; `topics.<name>` stands for any topic. */
export const CONFIG_KEYS = [
  'topics.<name>', 'sources.arxiv.categories', 'sources.arxiv.harvest', 'sources.arxiv.harvest.set', 'sources.arxiv.harvest.from',
  'defaults.limit', 'defaults.sort',
] as const;

/** The keys written out in full (every one but the topics). */
const FIXED_KEYS: readonly string[] = CONFIG_KEYS.filter((k) => !k.startsWith('topics.'));

type Raw = Record<string, unknown>;

function readRaw(path: string): Raw {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  parseConfig(text, path); // a broken file is an error, and is left alone
  return JSON.parse(text) as Raw;
}

/** The key as a path of object keys; an unknown key is a usage error with a suggestion. */
function keyPath(key: string): string[] {
  const parts = key.split('.');
  if (parts[0] === 'topics' && parts.length === 2 && parts[1]) return parts;
  if (FIXED_KEYS.includes(key)) return parts;
  const near = closest(key, [...FIXED_KEYS, 'topics']);
  throw new UsageError(`unknown config key '${key}'`, { hint: `${near ? `did you mean ${near}?; ` : ''}keys: ${CONFIG_KEYS.join(', ')}` });
}

function getAt(raw: Raw, path: string[]): unknown {
  let v: unknown = raw;
  for (const k of path) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw)[k] : undefined;
  return v;
}

function setAt(raw: Raw, path: string[], value: unknown): void {
  let o = raw;
  for (const k of path.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object' || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Raw;
  }
  if (value === undefined) delete o[path[path.length - 1]!];
  else o[path[path.length - 1]!] = value;
}

/** A value as typed on the command line, turned into what the key holds. */
function valueFor(key: string, words: string[]): unknown {
  const text = words.join(' ').trim();
  if (key.startsWith('topics.')) {
    queryToFts(text, `topic ${key.slice(7)}`);
    return text;
  }
  if (key === 'sources.arxiv.categories') return words.flatMap((w) => w.split(/[,\s]+/)).filter(Boolean);
  if (key === 'sources.arxiv.harvest') return harvestValue(words);
  if (key === 'sources.arxiv.harvest.set') return harvestSet(text);
  if (key === 'sources.arxiv.harvest.from') return harvestFrom(text);
  if (key === 'defaults.limit') {
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`defaults.limit: '${text}' is not a positive whole number`);
    return Number(text);
  }
  return text;
}

const HARVEST_HINT = 'e.g. papers config set sources.arxiv.harvest cs 2024-01-01, or set=cs from=2024-01-01, or all for the whole of arXiv';

/** An OAI-PMH set as arXiv names them (`cs`, `math`, `physics:hep-th`, `cs:cs:AI`). */
function harvestSet(text: string): string {
  if (!/^[A-Za-z][A-Za-z0-9:._-]*$/.test(text)) throw new UsageError(`sources.arxiv.harvest.set: '${text}' is not an OAI-PMH set`, { hint: 'e.g. cs, math, physics:hep-th' });
  return text;
}

/** The first day to harvest from: a real calendar day, as the harvest asks OAI-PMH for it. */
function harvestFrom(text: string): string {
  if (!isIsoDate(text)) throw new UsageError(`sources.arxiv.harvest.from: '${text}' is not a day`, { hint: 'use YYYY-MM-DD, e.g. 2024-01-01' });
  return text;
}

/**
 * The harvest sync keeps up to date, from the command line: a set and a day in any order
 * (`cs 2024-01-01`), `set=… from=…` pairs, `all` (the whole of arXiv: no set), or the JSON
 * object the file holds.
 */
function harvestValue(words: string[]): Record<string, string> {
  const text = words.join(' ').trim();
  if (text.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new UsageError(`sources.arxiv.harvest: '${text}' is not a JSON object`, { hint: HARVEST_HINT });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('sources.arxiv.harvest: not a JSON object', { hint: HARVEST_HINT });
    const o = v as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => k !== 'set' && k !== 'from');
    if (unknown !== undefined) throw new UsageError(`sources.arxiv.harvest: unknown key "${unknown}"`, { hint: 'the keys are set and from' });
    const out: Record<string, string> = {};
    if (o.set !== undefined && o.set !== null) out.set = harvestSet(String(o.set));
    if (o.from !== undefined && o.from !== null) out.from = harvestFrom(String(o.from));
    return out;
  }
  const out: Record<string, string> = {};
  let all = false;
  for (const w of words.flatMap((x) => x.split(/[,\s]+/)).filter(Boolean)) {
    const pair = /^(set|from)=(.*)$/.exec(w);
    const [k, v] = pair ? [pair[1]!, pair[2]!] : [/^\d{4}-/.test(w) ? 'from' : w === 'all' ? 'all' : 'set', w];
    if (k === 'all') {
      all = true;
      continue;
    }
    if (out[k] !== undefined) throw new UsageError(`sources.arxiv.harvest: ${k} given twice`, { hint: HARVEST_HINT });
    out[k] = k === 'set' ? harvestSet(v) : harvestFrom(v);
  }
  if (all && out.set !== undefined) throw new UsageError('sources.arxiv.harvest: both all and a set given', { hint: HARVEST_HINT });
  if (!all && out.set === undefined && out.from === undefined) throw new UsageError('sources.arxiv.harvest: no set given', { hint: HARVEST_HINT });
  return out;
}

/** Write `raw`, validated as a whole first: nothing invalid reaches the file. */
function save(path: string, raw: Raw): void {
  const text = JSON.stringify(raw, null, 2) + '\n';
  try {
    parseConfig(text, path);
  } catch (err) {
    // The file as it would be is wrong because of the value given: a usage error.
    throw new UsageError((err as Error).message.replace(`the config file ${path}: `, ''), { hint: 'nothing was written' });
  }
  writeTextAtomically(path, text, 'the config file');
}

export async function path(): Promise<void> {
  await writeChunks([defaultConfigPath() + '\n']);
}

export async function get(key: string | undefined): Promise<void> {
  const file = defaultConfigPath();
  const raw = readRaw(file);
  if (key === undefined) return writeChunks([JSON.stringify(raw, null, 2) + '\n']);
  const value = getAt(raw, keyPath(key));
  if (value === undefined) {
    process.exitCode = 1;
    return;
  }
  await writeChunks([(typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join('\n') : JSON.stringify(value)) + '\n']);
}

export async function set(key: string, words: string[]): Promise<void> {
  const file = defaultConfigPath();
  const raw = readRaw(file);
  setAt(raw, keyPath(key), valueFor(key, words));
  save(file, raw);
  messages.info(`${key} saved in ${file}`);
}

export async function unset(key: string): Promise<void> {
  const file = defaultConfigPath();
  const raw = readRaw(file);
  const at = keyPath(key);
  if (getAt(raw, at) === undefined) {
    messages.info(`${key} is not set in ${file}`);
    return;
  }
  setAt(raw, at, undefined);
  save(file, raw);
  messages.info(`${key} removed from ${file}`);
}

/**
 * $VISUAL or $EDITOR (else vi) on a copy beside the file; the copy replaces the file only when
 * it is a valid config. An invalid edit is kept in the copy, named in the error.
 */
export async function edit(): Promise<void> {
  const file = defaultConfigPath();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '{\n  "topics": {}\n}\n';
  const copy = tempBeside(file);
  writeTextAtomically(copy, text, 'a copy of the config file');
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  // Through the shell: an editor is often a command with arguments ("code --wait").
  const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', copy], { stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    throw new PapersError(`the editor (${editor}) failed${r.status !== null ? ` with exit code ${r.status}` : ''}`, { cause: r.error, hint: `your edit, if any, is in ${copy}` });
  }
  const edited = readFileSync(copy, 'utf8');
  try {
    parseConfig(edited, file);
  } catch (err) {
    throw new PapersError(`${(err as Error).message}; the config file is unchanged`, { cause: err, hint: `your edit is in ${copy}: fix it there and move it over ${file}` });
  }
  if (edited === text) {
    renameSync(copy, file);
    messages.info(`no change to ${file}`);
    return;
  }
  renameSync(copy, file);
  messages.info(`saved ${file}`);
}
