/**
 * `papers config path|get|set|unset|edit`: the config file without hand-editing JSON. Every
 * write is validated as the whole file (a change that would break it is refused) and atomic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { parseConfig } from '../config.js';
import { PapersError, UsageError } from '../errors.js';
import { tempBeside, writeTextAtomically } from '../files.js';
import { messages, writeChunks } from '../output.js';
import { defaultConfigPath } from '../paths.js';
import { queryToFts } from '../query.js';
import { closest } from '../text.js';

/** The keys `get`, `set` and `unset` know; `topics.<name>` stands for any topic. */
export const CONFIG_KEYS = ['topics.<name>', 'sources.arxiv.categories', 'defaults.limit', 'defaults.sort'] as const;

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
  if (['sources.arxiv.categories', 'defaults.limit', 'defaults.sort'].includes(key)) return parts;
  const near = closest(key, ['sources.arxiv.categories', 'defaults.limit', 'defaults.sort', 'topics']);
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
  if (key === 'defaults.limit') {
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`defaults.limit: '${text}' is not a positive whole number`);
    return Number(text);
  }
  return text;
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
