/** The personal marks: star, hide, seen, tag, note, and their export and import. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PapersError, UsageError } from '../errors.js';
import { parseArxivId } from '../ids.js';
import { messages } from '../output.js';
import type { ExportedMarks, MarkChange, Store } from '../store/index.js';
import { openStore } from './common.js';
import type { CommonFlags } from '../cli/options.js';
import type { NoteOptions } from '../cli/marks.js';
import { plural } from '../format/words.js';

/** The papers the refs name; any unknown ref stops the command before anything changes (exit 1). */
function resolve(store: Store, refs: readonly string[]) {
  const { found, unknown } = store.marks.resolve(refs, parseArxivId);
  if (unknown.length > 0) {
    throw new PapersError(`not in the cache: ${unknown.join(', ')}`, { hint: 'fetch them first (papers fetch <id>); nothing was changed' });
  }
  // The same paper named twice (by id and URL) counts once.
  return [...new Map(found.map((f) => [f.key, f])).values()];
}

export async function mark(opts: CommonFlags, refs: string[], change: MarkChange): Promise<void> {
  const store = openStore(opts);
  try {
    const papers = resolve(store, refs);
    store.marks.change(papers, change);
    const [what, on] = Object.entries(change)[0] as [string, boolean];
    const verb = { starred: ['starred', 'unstarred'], hidden: ['hid', 'unhid'], seen: ['marked seen', 'marked unseen'] }[what] ?? ['marked', 'unmarked'];
    messages.info(`${on ? verb[0] : verb[1]} ${plural(papers.length, 'paper')}`);
  } finally {
    store.close();
  }
}

/** A tag as kept: lower-case, no spaces or commas (it is one word of tag:x). */
function tagName(raw: string): string {
  const t = raw.trim().toLowerCase();
  if (!t || /[\s,()"]/.test(t)) throw new UsageError(`not a tag: '${raw}'`, { hint: 'a tag is one word, e.g. +to-read' });
  return t;
}

export async function tag(opts: CommonFlags, args: string[]): Promise<void> {
  const refs: string[] = [];
  const addTags: string[] = [];
  const removeTags: string[] = [];
  for (const a of args) {
    if (a.startsWith('+')) addTags.push(tagName(a.slice(1)));
    else if (a.startsWith('-') && !a.startsWith('--')) removeTags.push(tagName(a.slice(1)));
    else if (a.startsWith('--')) throw new UsageError(`unknown option '${a}'`, { hint: 'see papers tag --help' });
    else refs.push(a);
  }
  if (refs.length === 0) throw new UsageError('tag: no paper named', { hint: 'papers tag <id…> +x -y' });
  if (addTags.length + removeTags.length === 0) throw new UsageError('tag: no tag to add (+x) or remove (-y)', { hint: 'e.g. papers tag 2410.17243 +to-read' });
  const store = openStore(opts);
  try {
    const papers = resolve(store, refs);
    store.marks.change(papers, { addTags, removeTags });
    messages.info(`tagged ${plural(papers.length, 'paper')}`);
  } finally {
    store.close();
  }
}

/** Edit `text` in the user's editor; returns what was saved. */
function editInEditor(text: string): string {
  const editor = process.env.VISUAL?.trim() || process.env.EDITOR?.trim();
  if (!editor) throw new UsageError('no editor: $VISUAL and $EDITOR are unset', { hint: 'set EDITOR, or give the note as text' });
  const dir = mkdtempSync(join(tmpdir(), 'papers-note-'));
  try {
    const file = join(dir, 'note.txt');
    writeFileSync(file, text);
    // Through the shell, as git does: EDITOR may hold arguments ("code --wait").
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
    if (r.error || r.status !== 0) throw new PapersError(`the editor (${editor}) failed${r.status !== null ? ` with exit ${r.status}` : ''}`, { hint: 'the note was not changed' });
    return readFileSync(file, 'utf8').replace(/\s+$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function note(opts: NoteOptions, ref: string, words: string[]): Promise<void> {
  const given = words.length > 0 ? words.join(' ') : undefined;
  if ([given !== undefined, !!opts.edit, !!opts.clear].filter(Boolean).length > 1) throw new UsageError('give the note as text, --edit or --clear: one of them');
  const store = openStore(opts);
  try {
    const [paper] = resolve(store, [ref]);
    const current = store.marks.get(paper!.key).note;
    if (given === undefined && !opts.edit && !opts.clear) {
      if (current === null) messages.info(`no note on ${paper!.id ?? paper!.title}`);
      else process.stdout.write(current + '\n');
      return;
    }
    const text = opts.clear ? null : opts.edit ? editInEditor(current ?? '') : given!;
    store.marks.change([paper!], { note: text });
    messages.info(text === null || text.trim() === '' ? 'note removed' : 'note saved');
  } finally {
    store.close();
  }
}

/** The export: `{ "version": 1, "marks": […], "watches": […] }`. */
export async function exportMarks(opts: CommonFlags): Promise<void> {
  const store = openStore(opts);
  try {
    const out = {
      version: 1,
      marks: store.marks.exportAll(),
      watches: store.marks.watches().map((w) => ({ name: w.name, query: w.query, minUpvotes: w.minUpvotes })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    store.close();
  }
}

function bad(what: string): never {
  throw new PapersError(`not a marks export: ${what}`, { hint: 'give a file written by papers marks export' });
}

/** Check an export entry by entry; nothing is written unless all of it is right. */
export function parseMarksExport(text: string): { marks: ExportedMarks[]; watches: { name: string; query: string; minUpvotes: number | null }[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    bad('invalid JSON');
  }
  const o = raw as { marks?: unknown; watches?: unknown };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.marks)) bad('no "marks" list');
  const marks = o.marks.map((m: unknown, i: number): ExportedMarks => {
    const e = m as Record<string, unknown>;
    const where = `entry ${i + 1}`;
    if (typeof e !== 'object' || e === null) bad(`${where} is not an object`);
    const id = e.id === null || e.id === undefined ? null : typeof e.id === 'string' ? parseArxivId(e.id) : null;
    if (e.id !== null && e.id !== undefined && id === null) bad(`${where}: "id" is not an arXiv id`);
    const title = typeof e.title === 'string' ? e.title : null;
    if (id === null && !title) bad(`${where}: neither an id nor a title`);
    for (const k of ['seen', 'starred', 'hidden'] as const) if (e[k] !== undefined && typeof e[k] !== 'boolean') bad(`${where}: "${k}" is not true or false`);
    const tags = e.tags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) bad(`${where}: "tags" is not a list of strings`);
    if (e.note !== undefined && e.note !== null && typeof e.note !== 'string') bad(`${where}: "note" is not text`);
    return {
      id, title, seen: e.seen === true, starred: e.starred === true, hidden: e.hidden === true,
      tags: (tags as string[]).map(tagName), note: (e.note as string | null | undefined) ?? null,
      updatedAt: typeof e.updatedAt === 'string' ? e.updatedAt : '',
    };
  });
  const watches = (Array.isArray(o.watches) ? o.watches : []).map((w: unknown, i: number) => {
    const e = w as Record<string, unknown>;
    if (typeof e?.name !== 'string' || typeof e.query !== 'string') bad(`watch ${i + 1} has no name or query`);
    const min = e.minUpvotes === null || e.minUpvotes === undefined ? null : Number(e.minUpvotes);
    if (min !== null && !(Number.isInteger(min) && min >= 0)) bad(`watch ${i + 1}: "minUpvotes" is not a whole number`);
    return { name: e.name, query: e.query, minUpvotes: min };
  });
  return { marks, watches };
}

export async function importMarks(opts: CommonFlags, file: string): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new PapersError(`cannot read ${file}: ${(err as Error).message}`, { hint: 'check the path' });
  }
  const { marks, watches } = parseMarksExport(text);
  const { queryToFts } = await import('../query.js');
  for (const w of watches) queryToFts(w.query, `watch ${w.name}`);
  const store = openStore(opts);
  try {
    store.marks.importAll(marks);
    let added = 0;
    for (const w of watches) if (store.marks.addWatch(w.name, w.query, w.minUpvotes)) added++;
    messages.info(`imported the marks of ${plural(marks.length, 'paper')}${watches.length ? `, ${plural(added, 'new watch', 'new watches')}` : ''}`);
  } finally {
    store.close();
  }
}
