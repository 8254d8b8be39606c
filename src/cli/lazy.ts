/**
 * A command's work lives in src/commands/, loaded only when that command is invoked, so that
 * declaring every command at start-up loads nothing of the store, undici or cheerio. A
 * declaration says what it calls (an interface of its own) and is handed the loader of the
 * module that does it (src/main.ts), so a declaration never imports its command's module.
 */
import { UsageError } from '../errors.js';
import { display, messages } from '../output.js';
import { RECORD_FIELDS as PAPER_FIELDS } from '../record.js';
import { closest } from '../text.js';

/** Loads a command's module when the command runs: `() => import('./commands/list.js')`. */
export type Lazy<M> = () => Promise<M>;

/** --fields id,title,upvotes: record fields, checked by name. */
export function parseFields(value: string): string[] {
  const fields = value.split(',').map((f) => f.trim()).filter(Boolean);
  if (fields.length === 0) throw new UsageError('--fields: no field named', { hint: `e.g. --fields id,title,upvotes` });
  for (const f of fields) {
    if (!(PAPER_FIELDS as readonly string[]).includes(f)) {
      const near = closest(f, PAPER_FIELDS);
      throw new UsageError(`--fields: unknown field '${f}'`, { hint: near ? `did you mean ${near}?; fields: ${PAPER_FIELDS.join(', ')}` : `fields: ${PAPER_FIELDS.join(', ')}` });
    }
  }
  return [...new Set(fields)];
}

/** What every action does first: diagnostics on with -v, the fields to show. */
export function begin(opts: { verbose?: boolean | undefined; fields?: string | undefined }): void {
  messages.verbose = !!opts.verbose;
  if (opts.fields !== undefined) display.fields = parseFields(opts.fields);
}
