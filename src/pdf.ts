/**
 * `papers get --pdf`: download arXiv PDFs into a directory, politely and safely. One request
 * at a time, at least three seconds after the previous one ended (arXiv blocks bulk downloads
 * that ignore this); files already there are skipped; a body that is not a PDF is an error and
 * leaves no file; every file is written to a temporary name and renamed, so a file with the
 * final name is always complete; and whatever an id contains, nothing is written outside the
 * directory.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { HttpError, PapersError, UsageError } from './errors.js';
import { bareArxivId, parseArxivId } from './ids.js';
import { defaultDbPath } from './paths.js';
import { loadUndici } from './deps.js';

/** One PDF to fetch: a versionless arXiv id and the version (null: whatever arXiv serves as latest). */
export interface PdfTarget {
  id: string;
  version: number | null;
}

/** arXiv's terms: at most one request every three seconds. */
export const PDF_SPACING_MS = 3000;

/** `$XDG_CACHE_HOME/papers/pdf`, i.e. `~/.cache/papers/pdf`, next to the default cache. */
export function defaultPdfDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(defaultDbPath({ ...env, PAPERS_DB: undefined })), 'pdf');
}

/** PAPERS_ARXIV_PDF_URL, else https://arxiv.org; no trailing slash. */
export function pdfBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.PAPERS_ARXIV_PDF_URL?.trim();
  return (v ? v : 'https://arxiv.org').replace(/\/+$/, '');
}

/**
 * What the user typed (`2410.17243v2`, `arXiv:2410.17243`, an abs/pdf/HF URL, `hep-th/9901001v1`)
 * as a target; anything else (paths, `..`, NUL, garbage) is a usage error.
 */
export function parsePdfTarget(input: string): PdfTarget {
  const id = parseArxivId(input);
  if (!id) {
    const shown = JSON.stringify(input.length > 60 ? input.slice(0, 60) + '…' : input);
    throw new UsageError(`not an arXiv id: ${shown}`, { hint: 'give ids like 2410.17243, 2410.17243v2 or hep-th/9901001' });
  }
  const escaped = id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`${escaped}v(\\d+)(?!\\d)`).exec(input);
  const version = m ? Number(m[1]) : null;
  if (version !== null && !(Number.isSafeInteger(version) && version >= 1)) {
    throw new UsageError(`not a version: v${m![1]} of ${id}`, { hint: 'versions count from v1' });
  }
  return { id, version };
}

/**
 * The file name of a target: `<id>v<N>.pdf` (`<id>.pdf` without a version), an old-style id's
 * slash as `_` (`hep-th_9901001v1.pdf`). Whatever the id holds, the result is one plain file name:
 * only letters, digits, `.`, `_` and `-`, never starting with a dot.
 */
export function pdfFileName(t: PdfTarget): string {
  const version = t.version !== null && Number.isSafeInteger(t.version) && t.version >= 1 ? `v${t.version}` : '';
  const stem = (t.id + version).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length)).slice(0, 200);
  return `${stem || '_'}.pdf`;
}

/** The URL of a target's PDF under `base`: `/pdf/<id>v<N>` (old-style ids keep their slash). */
export function pdfUrl(base: string, t: PdfTarget): string {
  return `${base.replace(/\/+$/, '')}/pdf/${t.id}${t.version !== null ? `v${t.version}` : ''}`;
}

export interface PdfDownloadOptions {
  /** Where the files go (created when missing). */
  dir: string;
  /** The server's base URL (see pdfBaseUrl). */
  baseUrl: string;
  /** The User-Agent to send (the tool's own). */
  userAgent: string;
  /** At least this long between the end of one request and the start of the next. Default 3000. */
  spacingMs?: number;
  /** Waits; injectable so unit tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock the spacing is measured with (ms). */
  now?: () => number;
  /** Per file, headers and body. Default 120 000. */
  timeoutMs?: number;
  /** A larger body is refused. Default 200 MiB. */
  maxBytes?: number;
  /** Progress, one line per file, for stderr. */
  log?: (message: string) => void;
}

export type PdfResult =
  | { target: PdfTarget; path: string; status: 'downloaded'; bytes: number }
  | { target: PdfTarget; path: string; status: 'skipped' }
  | { target: PdfTarget; path: string | null; status: 'failed'; error: PapersError };

const PDF_MAGIC = Buffer.from('%PDF-');

/** The path of `name` in `dir`, checked to be directly inside it. */
function pathInside(dir: string, name: string): string {
  const root = resolve(dir);
  const full = resolve(root, name);
  if (dirname(full) !== root || basename(full) !== name) throw new UsageError(`refusing to write ${JSON.stringify(name)} outside ${root}`);
  return full;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Download the targets one at a time, in order. Returns one result per target; a failure does
 * not stop the others (the caller reports them and exits 1).
 */
export async function downloadPdfs(targets: readonly PdfTarget[], opts: PdfDownloadOptions): Promise<PdfResult[]> {
  const spacing = opts.spacingMs ?? PDF_SPACING_MS;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  let lastEnd: number | null = null;
  const results: PdfResult[] = [];
  mkdirSync(opts.dir, { recursive: true });

  for (const target of targets) {
    // Targets may come from anywhere (the cache, a file): the id must be an arXiv id.
    if (bareArxivId(target.id) !== target.id || (target.version !== null && !(Number.isSafeInteger(target.version) && target.version >= 1))) {
      results.push({ target, path: null, status: 'failed', error: new UsageError(`not an arXiv id: ${JSON.stringify(target.id)}`, { hint: 'give ids like 2410.17243v2 or hep-th/9901001' }) });
      continue;
    }
    const name = pdfFileName(target);
    const path = pathInside(opts.dir, name);
    if (exists(path)) {
      log(`${name}: already there`);
      results.push({ target, path, status: 'skipped' });
      continue;
    }
    if (lastEnd !== null) {
      const wait = lastEnd + spacing - now();
      if (wait > 0) await sleep(wait);
    }
    const url = pdfUrl(opts.baseUrl, target);
    try {
      const bytes = await downloadOne(url, path, opts);
      log(`${name}: ${bytes} bytes`);
      results.push({ target, path, status: 'downloaded', bytes });
    } catch (error) {
      const e = error instanceof PapersError ? error : new PapersError(`could not save ${name}: ${(error as Error).message}`, { cause: error, hint: 'check the directory is writable' });
      log(`${name}: ${e.message}`);
      results.push({ target, path, status: 'failed', error: e });
    } finally {
      lastEnd = now();
    }
  }
  return results;
}

/** One file: the request, the %PDF- check, the body into a temporary file, then the rename. */
async function downloadOne(url: string, path: string, opts: PdfDownloadOptions): Promise<number> {
  const { fetch } = loadUndici();
  const maxBytes = opts.maxBytes ?? 200 * 1024 * 1024;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 120_000);
  const where = new URL(url).pathname;
  let response;
  try {
    response = await fetch(url, { headers: { 'user-agent': opts.userAgent, accept: 'application/pdf' }, signal, redirect: 'follow' });
  } catch (error) {
    throw new HttpError(`could not download ${where}: ${describe(error)}`, url, { cause: error, hint: 'check the network, or try again later' });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    throw new HttpError(`arXiv answered ${response.status} for ${where}`, url, {
      status: response.status,
      hint: response.status === 404 ? 'check the id and version' : 'try again later',
    });
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  const file = await open(temp, 'wx', 0o644);
  let done = false;
  try {
    let total = 0;
    let head = Buffer.alloc(0);
    let checked = false;
    if (response.body) {
      for await (const chunk of response.body) {
        const buf = Buffer.from(chunk as Uint8Array);
        total += buf.length;
        if (total > maxBytes) throw new HttpError(`${where} is larger than ${Math.round(maxBytes / 1048576)} MiB`, url, { hint: 'download it in a browser' });
        if (!checked) {
          head = Buffer.concat([head, buf]);
          if (head.length < PDF_MAGIC.length) continue;
          if (!head.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) throw notAPdf(where, url, response.headers.get('content-type'));
          checked = true;
          await file.write(head);
          continue;
        }
        await file.write(buf);
      }
    }
    if (!checked) throw notAPdf(where, url, response.headers.get('content-type'));
    await file.sync();
    await file.close();
    await rename(temp, path);
    done = true;
    return total;
  } catch (error) {
    if (error instanceof PapersError) throw error;
    throw new HttpError(`could not download ${where}: ${describe(error)}`, url, { cause: error, hint: 'try again later' });
  } finally {
    if (!done) {
      await file.close().catch(() => {});
      await unlink(temp).catch(() => {});
    }
  }
}

function notAPdf(where: string, url: string, contentType: string | null): PapersError {
  return new HttpError(`${where} is not a PDF${contentType ? ` (got ${contentType.split(';')[0]})` : ''}`, url, { hint: 'arXiv may not have a PDF for this version; try the abstract page' });
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.message ?? e?.message ?? String(error);
}
