/**
 * How network and HTTP failures are worded: one line a user can act on, naming the site and
 * the path, with a hint. The error class itself (HttpError) is the contract's, in ../errors.ts.
 */
import { HttpError } from '../errors.js';
import type { Sites } from '../sources/sites.js';

export { HttpError };

/** What one attempt that may be retried ended with. */
export type Retryable =
  | { kind: 'status'; status: number; statusText: string; retryAfterMs: number | undefined; url: URL }
  | { kind: 'timeout'; error: unknown; url: URL; afterMs: number; byDeadline: boolean }
  | { kind: 'network'; error: unknown; url: URL };

export function pathOf(url: URL): string {
  return url.pathname + url.search;
}

// A few reason phrases for servers that send none (node:http's STATUS_CODES costs ~8 ms to load).
const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function statusText(res: { status: number; statusText: string }): string {
  return res.statusText || REASONS[res.status] || '';
}

/** fetch wraps the real error in TypeError('fetch failed' / 'terminated'); keep the informative one. */
export function unwrapFetchError(err: unknown): unknown {
  if (err instanceof TypeError && (err.message === 'fetch failed' || err.message === 'terminated') && err.cause !== undefined) {
    return err.cause;
  }
  return err;
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Failures that asking again cannot mend: TLS and certificate trouble, URLs fetch refuses. */
export function isPermanentNetworkError(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  return (
    (err instanceof Error && err.message === 'bad port') ||
    /^(ERR_TLS_|ERR_SSL_|CERT_)/.test(code) ||
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'ERR_INVALID_URL',
      'UND_ERR_INVALID_ARG',
      'UND_ERR_NOT_SUPPORTED',
    ].includes(code)
  );
}

export function describeNetworkError(err: unknown): string {
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed before the whole answer arrived';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'could not connect in time';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'the answer was cut short';
    default: {
      const msg = errorMessage(err);
      if (msg === 'bad port') return 'fetch refuses to use this port (a "bad port" in the Fetch standard)';
      return code && !msg.includes(code) ? `${msg} (${code})` : msg;
    }
  }
}

/** For --verbose: why an attempt is retried. */
export function describeRetryable(r: Retryable): string {
  switch (r.kind) {
    case 'status':
      return `${r.status} ${r.statusText}${r.retryAfterMs !== undefined ? `, Retry-After ${formatSeconds(r.retryAfterMs)}` : ''}`;
    case 'timeout':
      return `timed out after ${formatSeconds(r.afterMs)}`;
    case 'network':
      return describeNetworkError(r.error);
  }
}

/** What to tell a user about an error status from `url`, if anything useful. */
export function statusHint(sites: Sites, status: number, url: URL): string | undefined {
  if (status === 429) {
    if (sites.isHf(url)) {
      return sites.hasHfToken
        ? 'rate limited by Hugging Face; wait a few minutes and try again'
        : 'rate limited by Hugging Face; wait a few minutes and try again, or set HF_TOKEN to raise the limit';
    }
    return `rate limited by ${sites.name(url)}; wait a few minutes and try again`;
  }
  if (status >= 500) return 'the server is having trouble; try again later';
  if ((status === 401 || status === 403) && sites.isHf(url) && sites.hasHfToken) return 'check that HF_TOKEN is a valid token';
  return undefined;
}

/**
 * The error for a request that failed after `attempts` attempts. `gaveUpEarly`: a wait the
 * server asked for, or the command's deadline, ended the retries before they were used up.
 */
export function failure(sites: Sites, result: Retryable, attempts: number, gaveUpEarly: boolean, deadlineMs?: number): HttpError {
  const url = result.url;
  const site = sites.name(url);
  const after = attempts > 1 ? ` after ${attempts} attempts` : '';
  switch (result.kind) {
    case 'status': {
      let hint = statusHint(sites, result.status, url) ?? 'try again later';
      if (gaveUpEarly && result.retryAfterMs !== undefined) {
        hint += ` (the server asks to wait ${formatSeconds(result.retryAfterMs)})`;
      }
      return new HttpError(`${site} answered ${result.status} ${result.statusText} for ${pathOf(url)}${after}`, url.href, {
        status: result.status,
        hint,
      });
    }
    case 'timeout':
      return new HttpError(
        deadlineMs !== undefined
          ? `no answer from ${site} for ${pathOf(url)} within the ${formatSeconds(deadlineMs)} allowed${after}`
          : `request to ${site} timed out after ${formatSeconds(result.afterMs)} for ${pathOf(url)}${after}`,
        url.href,
        { cause: result.error, hint: 'try again later, or allow more time with --timeout' },
      );
    case 'network':
      return new HttpError(`request to ${site} failed for ${pathOf(url)}${after}: ${describeNetworkError(result.error)}`, url.href, {
        cause: result.error,
        hint: 'check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), or try again later',
      });
  }
}

/** The command's time is up before a request could start (or be asked again). */
export function deadlineError(sites: Sites, url: URL, deadlineMs: number, cause?: unknown): HttpError {
  return new HttpError(`no answer from ${sites.name(url)} for ${pathOf(url)} within the ${formatSeconds(deadlineMs)} allowed`, url.href, {
    cause,
    hint: 'try again later, or allow more time with --timeout',
  });
}

export function formatSeconds(ms: number): string {
  if (ms < 100) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10}s`;
}
