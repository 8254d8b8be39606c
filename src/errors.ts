/**
 * Typed errors: each carries the exit code of the contract and a hint for the user. Only the
 * top-level handler in main.ts turns them into the one-line message and process.exitCode.
 */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class PapersError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, opts: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.exitCode = opts.exitCode ?? EXIT_FAILURE;
    this.hint = opts.hint;
  }
}

/** Bad command-line input: exit 2. */
export class UsageError extends PapersError {
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, exitCode: EXIT_USAGE });
  }
}

/** A request failed: network, timeout, HTTP status, size cap. */
export class HttpError extends PapersError {
  readonly status: number | undefined;
  readonly url: string;
  constructor(message: string, url: string, opts: { status?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts);
    this.status = opts.status;
    this.url = url;
  }
}

/** A page or answer whose shape we do not recognise (the site changed, or it is not a listing). */
export class ParseError extends PapersError {}

/** The cache could not be opened, read or written. */
export class StoreError extends PapersError {}

/** The causes under an error, one line each ("message [CODE]"): what --verbose prints. */
export function causeChain(err: Error): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  for (let cause: unknown = err.cause; cause && !seen.has(cause); ) {
    seen.add(cause);
    const c = cause instanceof Error ? cause : new Error(String(cause));
    const code = (c as NodeJS.ErrnoException).code;
    lines.push(`${c.message}${code ? ` [${code}]` : ''}`);
    cause = c.cause;
  }
  return lines;
}
