/** `papers topics`: list, show, add and remove named queries. */
import { existsSync, readFileSync } from 'node:fs';
import { writeTextAtomically } from '../files.js';
import { loadConfig, parseConfig } from '../config.js';
import { PapersError, UsageError } from '../errors.js';
import { messages, resolveFormat, writeChunks } from '../output.js';
import { defaultConfigPath } from '../paths.js';
import { queryToFts } from '../query.js';
import { allTopics, BUILTIN_TOPICS } from '../topics.js';
import { compareNames } from '../text.js';
import { openStore } from './common.js';
import type { TopicsOptions } from '../cli/topics.js';

/** Change the topics of the config file, keeping every other key as it was. */
function editTopics(edit: (topics: Record<string, string>) => void): string {
  const path = defaultConfigPath();
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '{}';
  parseConfig(text, path); // a broken file is an error, and is left alone
  const raw = JSON.parse(text) as Record<string, unknown>;
  const topics = { ...((raw.topics as Record<string, string> | undefined) ?? {}) };
  edit(topics);
  raw.topics = topics;
  writeTextAtomically(path, JSON.stringify(raw, null, 2) + '\n', 'the config file');
  return path;
}

function validName(name: string): string {
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u.test(name)) throw new UsageError(`'${name}' is not a usable topic name`, { hint: 'letters, digits, - _ . (at most 64)' });
  return name;
}

export async function list(opts: TopicsOptions): Promise<void> {
  const format = resolveFormat(opts, ['table', 'json']);
  const topics = allTopics(loadConfig());
  const compiled = Object.entries(topics).sort(([a], [b]) => compareNames(a, b)).map(([name, t]) => ({ name, t, q: queryToFts(t.query, `topic ${name}`) }));
  // A cache that exists only: the counts it keeps are kept up to date when it can be written.
  const store = openStore(opts, { readOnly: true });
  try {
    const papers = store.topicCounts(compiled.map((c) => c.q)).all;
    const rows = compiled.map(({ name, t }, i) => ({ name, query: t.query, builtin: t.builtin, overridden: t.overridden, papers: papers[i]! }));
    if (format === 'json') return writeChunks([JSON.stringify(rows, null, 2) + '\n']);
    const w = Math.max(...rows.map((r) => r.name.length));
    const n = Math.max(...rows.map((r) => String(r.papers).length));
    await writeChunks(rows.map((r) => `${r.name.padEnd(w)}  ${String(r.papers).padStart(n)}  ${r.builtin ? 'built-in' : r.overridden ? 'yours (replaces built-in)' : 'yours'}\n`));
  } finally {
    store.close();
  }
}

export async function show(name: string, opts: TopicsOptions): Promise<void> {
  const topics = allTopics(loadConfig());
  const t = Object.hasOwn(topics, name) ? topics[name] : undefined;
  if (!t) throw new UsageError(`unknown topic '${name}'`, { hint: `known topics: ${Object.keys(topics).sort().join(', ')}` });
  if (opts.json) return writeChunks([JSON.stringify({ name, ...t }, null, 2) + '\n']);
  await writeChunks([`${name} (${t.builtin ? 'built-in' : t.overridden ? 'yours, replacing the built-in' : 'yours'})\n${t.query}\n`]);
}

export async function add(name: string, query: string[]): Promise<void> {
  validName(name);
  const text = query.join(' ');
  queryToFts(text, `topic ${name}`); // validate before writing
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
