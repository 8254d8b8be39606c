/** The personal-mark commands (star, hide, seen, tag, note, marks): declarations; the work is in commands/marks.ts. */
import { Command } from '@commander-js/extra-typings';
import { dbPathOf, requireCache } from '../paths.js';
import { begin, type Lazy } from './lazy.js';
import { examples, withCommonOptions, type CommonFlags, type OptionsOf } from './options.js';

const MARKS = [
  ['star', 'star papers (papers list --starred, --sort for-you)', { starred: true }],
  ['unstar', 'remove the star', { starred: false }],
  ['hide', 'hide papers from list and today (--hidden shows them)', { hidden: true }],
  ['unhide', 'show hidden papers again', { hidden: false }],
  ['seen', 'mark papers seen', { seen: true }],
  ['unseen', 'mark papers not seen', { seen: false }],
] as const;

/** The commands markCommands declares. */
export const MARK_COMMAND_NAMES = [...MARKS.map(([name]) => name), 'tag', 'note', 'marks'];

const IDS_HELP = 'arXiv ids in any form (2410.17243v2, arXiv:…, abs/pdf/HF URLs), or the exact title of a paper without one';

const noteCommand = () => withCommonOptions(new Command('note').argument('<id>', IDS_HELP).argument('[text...]', 'the note (without it and --edit: print the note)')
  .description("a paper's personal note: set it, edit it in $EDITOR, print it or clear it")
  .option('--edit', 'edit the note in $VISUAL or $EDITOR')
  .option('--clear', 'remove the note')
  .addHelpText('after', examples("papers note 2410.17243 'read section 4 again'", 'papers note 2410.17243 --edit', 'papers note 2410.17243', "papers list -q 'has:note'")));

export type NoteOptions = OptionsOf<typeof noteCommand>;

/** What the mark commands call: commands/marks.ts. */
export interface MarksWork {
  mark(opts: CommonFlags, ids: string[], change: (typeof MARKS)[number][2]): Promise<void>;
  tag(opts: CommonFlags, args: string[]): Promise<void>;
  note(opts: NoteOptions, id: string, text: string[]): Promise<void>;
  exportMarks(opts: CommonFlags): Promise<void>;
  importMarks(opts: CommonFlags, file: string): Promise<void>;
}

export function markCommands(work: Lazy<MarksWork>) {
  const out = MARKS.map(([name, description, change]) =>
    withCommonOptions(new Command(name).argument('<id...>', IDS_HELP).description(description)
      .addHelpText('after', examples(`papers ${name} 2410.17243 2410.18978`)))
      .action(async (ids, opts) => {
        begin(opts);
        requireCache(dbPathOf(opts));
        await (await work()).mark(opts, ids, change);
      }));
  const tag = withCommonOptions(new Command('tag').argument('<args...>', 'ids, then +tag to add and -tag to remove')
    .description('add (+x) and remove (-y) personal tags')
    .allowUnknownOption()
    .addHelpText('after', examples('papers tag 2410.17243 2410.18978 +to-read +rl', 'papers tag 2410.17243 -to-read', 'papers list --tag rl', "papers list -q 'tag:rl OR is:starred'")))
    .action(async (args, opts) => {
      begin(opts);
      requireCache(dbPathOf(opts));
      await (await work()).tag(opts, args);
    });
  const note = noteCommand()
    .action(async (id, text, opts) => {
      begin(opts);
      requireCache(dbPathOf(opts));
      await (await work()).note(opts, id, text);
    });
  const marks = new Command('marks').description('export and import the personal marks and watches, as JSON');
  marks.addCommand(withCommonOptions(new Command('export').description('print every mark and watch as one JSON object')
    .addHelpText('after', examples('papers marks export > marks.json')))
    .action(async (opts) => {
      begin(opts);
      requireCache(dbPathOf(opts));
      await (await work()).exportMarks(opts);
    }));
  marks.addCommand(withCommonOptions(new Command('import').argument('<file>', 'a file of papers marks export, or - for stdin')
    .description('set the marks and watches of an export (marks replace those of the same paper)')
    .addHelpText('after', examples('papers marks import marks.json', 'ssh old papers marks export | papers marks import -')))
    .action(async (file, opts) => {
      begin(opts);
      await (await work()).importMarks(opts, file);
    }));
  return [...out, tag, note, marks];
}
