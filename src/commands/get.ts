/** `papers get --pdf`: arXiv PDFs into a directory, politely (see ../pdf.ts). */
import { resolve } from 'node:path';
import { PapersError, UsageError } from '../errors.js';
import { USER_AGENT } from '../http/index.js';
import { messages } from '../output.js';
import { defaultPdfDir, downloadPdfs, parsePdfTarget, pdfBaseUrl } from '../pdf.js';
import type { GetOptions } from '../cli/papers-tools.js';
import { plural } from '../format/words.js';

export async function run(opts: GetOptions, refs: string[]): Promise<void> {
  if (!opts.pdf) throw new UsageError('get needs --pdf (what to download)', { hint: 'papers get <id…> --pdf' });
  // Every id is checked before the first request: a hostile one stops the command here.
  const targets = refs.map((r) => parsePdfTarget(r));
  const dir = opts.dir !== undefined ? resolve(opts.dir) : defaultPdfDir();
  const results = await downloadPdfs(targets, { dir, baseUrl: pdfBaseUrl(), userAgent: USER_AGENT, log: messages.info });
  for (const r of results) if (r.status !== 'failed') process.stdout.write(r.path + '\n');
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    const first = failed[0]!;
    if (first.status !== 'failed') return;
    throw new PapersError(`${failed.length} of ${plural(results.length, 'PDF')} not downloaded: ${first.error.message}`, { cause: first.error, hint: first.error.hint ?? 'try again later' });
  }
}
