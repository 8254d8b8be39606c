/** `papers topics`: list, show, add and remove named queries. */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, parseConfig } from '../config.js';
import { PapersError, UsageError } from '../errors.js';
import { messages, resolveFormat, writeChunks } from '../output.js';
import { defaultConfigPath } from '../paths.js';
import { compileQuery, parseQuery } from '../query.js';
import { allTopics, BUILTIN_TOPICS } from '../topics.js';
import { openStore } from './common.js';

/** Write `text` to `path` atomically: a temporary file in the same directory, synced, renamed. */
function writeAtomically(path: string, text: string): void {
  // Readable by its owner only, like the cache.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new PapersError(`cannot write the config file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Change the topics of the config file, keeping every other key as it was. */
function editTopics(edit: (topics: Record<string, string>) => void): string {
  const path = defaultConfigPath();
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '{}';
  parseConfig(text, path); // a broken file is an error, and is left alone
  const raw = JSON.parse(text) as Record<string, unknown>;
  const topics = { ...((raw.topics as Record<string, string> | undefined) ?? {}) };
  edit(topics);
  raw.topics = topics;
  writeAtomically(path, JSON.stringify(raw, null, 2) + '\n');
  return path;
}

function validName(name: string): string {
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u.test(name)) throw new UsageError(`'${name}' is not a usable topic name`, { hint: 'letters, digits, - _ . (at most 64)' });
  return name;
}

export async function list(opts: Record<string, unknown>): Promise<void> {
  const format = resolveFormat(opts as { json?: boolean }, ['table', 'json']);
  const topics = allTopics(loadConfig());
  const store = openStore(opts);
  try {
    const rows = Object.entries(topics).sort(([a], [b]) => a.localeCompare(b)).map(([name, t]) => {
      const q = compileQuery(parseQuery(t.query, `topic ${name}`), `topic ${name}`);
      return { name, query: t.query, builtin: t.builtin, overridden: t.overridden, papers: store.countMatching(q) };
    });
    if (format === 'json') return writeChunks([JSON.stringify(rows, null, 2) + '\n']);
    const w = Math.max(...rows.map((r) => r.name.length));
    const n = Math.max(...rows.map((r) => String(r.papers).length));
    await writeChunks(rows.map((r) => `${r.name.padEnd(w)}  ${String(r.papers).padStart(n)}  ${r.builtin ? 'built-in' : r.overridden ? 'yours (replaces built-in)' : 'yours'}\n`));
  } finally {
    store.close();
  }
}

export async function show(name: string, opts: Record<string, unknown>): Promise<void> {
  const topics = allTopics(loadConfig());
  const t = Object.hasOwn(topics, name) ? topics[name] : undefined;
  if (!t) throw new UsageError(`unknown topic '${name}'`, { hint: `known topics: ${Object.keys(topics).sort().join(', ')}` });
  if (opts.json) return writeChunks([JSON.stringify({ name, ...t }, null, 2) + '\n']);
  await writeChunks([`${name} (${t.builtin ? 'built-in' : t.overridden ? 'yours, replacing the built-in' : 'yours'})\n${t.query}\n`]);
}

export async function add(name: string, query: string[]): Promise<void> {
  validName(name);
  const text = query.join(' ');
  compileQuery(parseQuery(text, `topic ${name}`), `topic ${name}`); // validate before writing
  const path = editTopics((topics) => {
    topics[name] = text;
  });
  messages.info(`topic ${name} saved in ${path}${Object.hasOwn(BUILTIN_TOPICS, name) ? ' (it replaces the built-in one)' : ''}`);
}

export async function remove(name: string): Promise<void> {
  const config = loadConfig();
  if (!Object.hasOwn(config.topics, name)) {
    if (Object.hasOwn(BUILTIN_TOPICS, name)) throw new UsageError(`'${name}' is a built-in topic and cannot be removed`, { hint: `papers topics add ${name} <query> replaces it` });
    throw new UsageError(`unknown topic '${name}'`);
  }
  const path = editTopics((topics) => {
    delete topics[name];
  });
  messages.info(`topic ${name} removed from ${path}${Object.hasOwn(BUILTIN_TOPICS, name) ? ' (the built-in one applies again)' : ''}`);
}
