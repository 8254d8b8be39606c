/**
 * The request loop: every request the tool makes goes through HttpClient.get(). One attempt
 * is the request, its redirects and its body under one timeout; failures that asking again can
 * mend (429, 5xx, network errors, timeouts) are retried with backoff, within a retry budget and
 * within the command's deadline, which covers everything: attempts, waits and fallbacks.
 *
 * undici is loaded on the first request (deps.ts), so importing this module costs nothing;
 * only commands that really go to the network pay for it.
 *
 * Kept whole past 400 lines: an attempt, its redirects, its retries and the deadline share one
 * state that pieces would pass back and forth; error wording, host limits and body reading are
 * already apart (errors.ts, limiter.ts, body.ts).
 */
import type { Dispatcher, Response } from 'undici';
import { loadUndici } from '../deps.js';
import { VERSION } from '../version.js';
import { formatBytes } from '../format/words.js';
import { BASE_URL_HINT, Sites, type HostRules } from '../sources/sites.js';
import {
  HttpError, deadlineError, describeNetworkError, describeRetryable, errorMessage, failure, formatSeconds,
  isPermanentNetworkError, pathOf, statusHint, statusText, unwrapFetchError, type Retryable,
} from './errors.js';
import { HostLimiter, parseRetryAfter, sleep } from './limiter.js';
import { discard, readBody, readSnippet, responseOf, type HttpResponse } from './body.js';

export interface HttpOptions {
  /** Total timeout per attempt (headers and body, redirects included). Default 30 000. */
  timeoutMs?: number;
  /**
   * Time allowed for everything this client does, from its creation: attempts, retries, the
   * waits between them and in the politeness queues, and a caller's fallbacks. None by default.
   */
  deadlineMs?: number;
  /** Timeout for establishing a connection. Default 10 000. */
  connectTimeoutMs?: number;
  /** Retries for 429, 5xx (500, 502, 503, 504), network errors and timeouts. Default 3. */
  retries?: number;
  /** Cap on the total time spent waiting between retries. Default 60 000. */
  maxRetryTimeMs?: number;
  /** Cap on a (decoded) response body. Default 20 MiB. */
  maxBytes?: number;
  /** Verbose diagnostics: request lines, statuses, timings, retry waits. */
  log?: (msg: string) => void;
  /** Where HF_TOKEN, proxy variables and PAPERS_*_URL are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Backoff base: attempt n waits a random time in [0.5, 1] x baseDelayMs x 2^n. Default 500. */
  baseDelayMs?: number;
  /** Politeness per site, over the defaults of ../sources/sites.ts. Tests shorten the arXiv spacing here. */
  hostRules?: HostRules;
}

export interface GetOptions {
  headers?: Record<string, string>;
  /** A stored ETag: sent as If-None-Match; a 304 answer gives notModified: true. */
  etag?: string | null;
  accept?: string;
  /** Fewer retries for this request than the client's (e.g. when a fallback exists). */
  retries?: number;
  /** Error statuses whose body the caller reads (arXiv's error feed comes with 400): returned, not thrown. */
  bodyOnStatus?: number[];
  /**
   * Time this request may take in all, retries included, within the client's deadline: a caller
   * with a fallback leaves the fallback its share of the time.
   */
  withinMs?: number;
}

const DEFAULTS = {
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  retries: 3,
  maxRetryTimeMs: 60_000,
  maxBytes: 20 * 1024 * 1024,
  baseDelayMs: 500,
};

const MAX_REDIRECTS = 5;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PROJECT_URL = 'https://github.com/papers-cli/papers';

export const USER_AGENT = `papers/${VERSION} (+${PROJECT_URL})`;

/**
 * `base` + `path` + query string. The base may carry a path prefix, which is kept.
 * Undefined query values are skipped; keys and values are percent-encoded.
 */
export function joinUrl(base: string, path: string, query?: Record<string, string | number | undefined>): string {
  let url = base.replace(/\/+$/, '') + (path === '' || path.startsWith('/') ? path : `/${path}`);
  if (query) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    }
    if (parts.length > 0) url += (url.includes('?') ? '&' : '?') + parts.join('&');
  }
  return url;
}

type Undici = ReturnType<typeof loadUndici>;

type AttemptResult = { kind: 'ok'; response: HttpResponse } | Retryable;

/** Raised inside an attempt when the command's deadline passes; turned into its HttpError. */
class DeadlinePassed extends Error {}

export class HttpClient {
  /** Requests actually sent: retries and redirect hops included. */
  requests = 0;

  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly retries: number;
  private readonly maxRetryTimeMs: number;
  private readonly maxBytes: number;
  private readonly baseDelayMs: number;
  private readonly log: ((msg: string) => void) | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly sites: Sites;
  private readonly deadlineMs: number | undefined;
  private readonly deadlineAt: number;
  /** Aborted when the deadline passes: ends any request or wait in progress. */
  private readonly deadline = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout | undefined;
  private dispatcher: Dispatcher | undefined;
  private closed = false;
  private readonly limiters = new Map<string, HostLimiter>();

  constructor(opts: HttpOptions = {}) {
    const num = (v: number | undefined, d: number, min = 0): number =>
      v === undefined || !Number.isFinite(v) ? d : Math.max(min, v);
    this.timeoutMs = num(opts.timeoutMs, DEFAULTS.timeoutMs, 1);
    this.connectTimeoutMs = num(opts.connectTimeoutMs, DEFAULTS.connectTimeoutMs, 1);
    this.retries = Math.floor(num(opts.retries, DEFAULTS.retries));
    this.maxRetryTimeMs = num(opts.maxRetryTimeMs, DEFAULTS.maxRetryTimeMs);
    this.maxBytes = num(opts.maxBytes, DEFAULTS.maxBytes, 1);
    this.baseDelayMs = num(opts.baseDelayMs, DEFAULTS.baseDelayMs);
    this.log = opts.log;
    this.env = opts.env ?? process.env;
    this.sites = new Sites(this.env, opts.hostRules);
    if (opts.deadlineMs !== undefined && Number.isFinite(opts.deadlineMs)) {
      this.deadlineMs = Math.max(1, opts.deadlineMs);
      this.deadlineAt = Date.now() + this.deadlineMs;
      this.deadlineTimer = setTimeout(() => this.deadline.abort(new DeadlinePassed('deadline')), this.deadlineMs);
      // The deadline must never keep the process alive after the work is done.
      this.deadlineTimer.unref();
    } else {
      this.deadlineAt = Infinity;
    }
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  timeLeft(): number {
    return this.deadlineAt - Date.now();
  }

  /** The URL to request, or the reason it cannot be: not a URL, not http(s), a closed client. */
  private checkedUrl(url: string): URL {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      throw new HttpError(`invalid URL ${JSON.stringify(url)}`, url, { cause: err, hint: BASE_URL_HINT });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new HttpError(`unsupported URL ${JSON.stringify(url)} (only http and https)`, url, { hint: BASE_URL_HINT });
    }
    if (this.closed) throw new HttpError('HTTP client already closed', url);
    return target;
  }

  async get(url: string, opts: GetOptions = {}): Promise<HttpResponse> {
    const target = this.checkedUrl(url);
    if (this.timeLeft() <= 0) throw deadlineError(this.sites, target, this.deadlineMs!);
    const until = Math.min(this.deadlineAt, opts.withinMs !== undefined ? Date.now() + Math.max(1, opts.withinMs) : Infinity);
    const left = () => until - Date.now();
    const undici = loadUndici();
    const dispatcher = this.getDispatcher(undici, url);

    const attempts = Math.floor(Math.min(opts.retries ?? this.retries, this.retries)) + 1;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(undici, dispatcher, target, opts, left);
      if (result.kind === 'ok') return result.response;

      let gaveUpEarly = false;
      if (attempt + 1 < attempts) {
        const backoff = this.baseDelayMs * 2 ** attempt;
        const jittered = backoff * (0.5 + Math.random() * 0.5);
        const retryAfter = result.kind === 'status' ? result.retryAfterMs : undefined;
        const wait = Math.max(jittered, retryAfter ?? 0);
        if (waited + wait <= this.maxRetryTimeMs && wait < left()) {
          this.log?.(`retrying in ${formatSeconds(wait)} (${describeRetryable(result)}; attempt ${attempt + 2} of ${attempts})`);
          await sleep(wait);
          waited += wait;
          continue;
        }
        gaveUpEarly = true;
        this.log?.(
          wait >= left()
            ? `not retrying: the time allowed ends before the next attempt`
            : `not retrying: waiting ${formatSeconds(wait)} more would exceed the ${formatSeconds(this.maxRetryTimeMs)} retry budget`,
        );
      }
      throw failure(this.sites, result, attempt + 1, gaveUpEarly, result.kind === 'timeout' && result.byDeadline ? this.deadlineMs ?? result.afterMs : undefined);
    }
  }

  /**
   * One request whose body the caller streams itself (a PDF, written to a file as it arrives):
   * the same connection pool and proxy settings as get(), redirects followed, no retries and no
   * politeness queue (the caller paces its own requests). The caller reads or cancels the body.
   */
  async stream(url: string, opts: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const target = this.checkedUrl(url);
    const undici = await loadUndici();
    const dispatcher = this.getDispatcher(undici, url);
    this.requests++;
    this.log?.(`GET ${target.href}`);
    return undici.fetch(target, { method: 'GET', headers: { 'user-agent': USER_AGENT, ...opts.headers }, redirect: 'follow', signal: opts.signal, dispatcher });
  }

  /** Close keep-alive connections. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    const d = this.dispatcher;
    this.dispatcher = undefined;
    if (d) await d.close().catch(() => d.destroy().catch(() => undefined));
  }

  private getDispatcher(undici: Undici, url: string): Dispatcher {
    if (this.dispatcher) return this.dispatcher;
    const env = this.env;
    const connect = { timeout: this.connectTimeoutMs };
    const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? '';
    const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? '';
    const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
    try {
      // Pass every value explicitly ('' = unset) so that undici never reads process.env itself.
      this.dispatcher =
        httpProxy || httpsProxy
          ? // ProxyAgent ignores `connect` for its own connections: the timeout goes in proxyTls/requestTls.
            new undici.EnvHttpProxyAgent({ httpProxy, httpsProxy, noProxy, connect, proxyTls: connect, requestTls: connect })
          : new undici.Agent({ connect });
    } catch (err) {
      throw new HttpError(`invalid proxy setting: ${errorMessage(err)}`, url, {
        cause: err,
        hint: 'check HTTPS_PROXY, HTTP_PROXY and NO_PROXY',
      });
    }
    return this.dispatcher;
  }

  /**
   * One attempt: the request, its redirects and the body, under one timeout (cut to what the
   * deadline leaves). Returns the response or a failure that may be retried; throws HttpError
   * for failures that may not.
   */
  private async attempt(undici: Undici, dispatcher: Dispatcher, target: URL, opts: GetOptions, left: () => number): Promise<AttemptResult> {
    // Wait for the host's turn first: time in the politeness queue is not part of the attempt's
    // timeout, but it is part of the deadline.
    let release: () => void;
    try {
      release = await this.limiterFor(target).acquire(this.log, () => this.timeLeft(), this.deadline.signal);
    } catch (err) {
      if (err instanceof DeadlinePassed) throw deadlineError(this.sites, target, this.deadlineMs!);
      throw err;
    }
    const limit = Math.max(1, Math.min(this.timeoutMs, left()));
    const byDeadline = limit < this.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${formatSeconds(limit)}`));
    }, limit);
    let current = target;
    try {
      for (let hop = 0; ; hop++) {
        if (hop > 0) {
          // A redirect: the slot held so far is given back, the next host's is taken.
          release();
          release = () => undefined;
          release = await this.limiterFor(current).acquire(this.log, () => this.timeLeft(), controller.signal);
        }
        const started = Date.now();
        const res = await this.send(undici, dispatcher, current, this.headersFor(current, opts), controller.signal);
        const elapsed = () => `${Date.now() - started} ms`;
        this.limiterFor(current).observe(res.status, res.headers, this.log);

        if (REDIRECT_STATUSES.has(res.status) && res.headers.has('location')) {
          await discard(res);
          const location = res.headers.get('location') ?? '';
          this.log?.(`${res.status} ${statusText(res)} -> ${location} (${elapsed()})`);
          if (hop >= MAX_REDIRECTS) {
            throw new HttpError(
              `too many redirects (more than ${MAX_REDIRECTS}) from ${this.sites.name(target)} for ${pathOf(target)}`,
              current.href,
              { status: res.status, hint: 'the server redirects in a loop; check the base URL or try again later' },
            );
          }
          try {
            current = new URL(location, current);
          } catch (err) {
            throw new HttpError(`${this.sites.name(current)} redirected to an invalid URL ${JSON.stringify(location)}`, current.href, {
              status: res.status,
              cause: err,
            });
          }
          continue;
        }

        if (res.status === 304) {
          await discard(res);
          this.log?.(`304 Not Modified (${elapsed()})`);
          return { kind: 'ok', response: responseOf(current, res, '', true) };
        }

        if ((res.status >= 200 && res.status < 300) || opts.bodyOnStatus?.includes(res.status)) {
          const body = await readBody(res, current, controller, this.maxBytes, this.sites.name(current));
          this.log?.(`${res.status} ${statusText(res)} (${elapsed()}, ${formatBytes(Buffer.byteLength(body))})`);
          return { kind: 'ok', response: responseOf(current, res, body, false) };
        }

        // An error status.
        const snippet = this.log ? await readSnippet(res) : (await discard(res), '');
        this.log?.(`${res.status} ${statusText(res)} (${elapsed()})${snippet ? `: ${snippet}` : ''}`);
        const rate = res.headers.get('ratelimit');
        if (res.status === 429 && rate) this.log?.(`ratelimit: ${rate}`);
        if (RETRY_STATUSES.has(res.status)) {
          return {
            kind: 'status',
            status: res.status,
            statusText: statusText(res),
            retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
            url: current,
          };
        }
        throw new HttpError(`${this.sites.name(current)} answered ${res.status} ${statusText(res)} for ${pathOf(current)}`, current.href, {
          status: res.status,
          hint: statusHint(this.sites, res.status, current),
        });
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const error = unwrapFetchError(err);
      if (timedOut) {
        this.log?.(`timed out after ${formatSeconds(limit)}`);
        return { kind: 'timeout', error, url: current, afterMs: limit, byDeadline };
      }
      this.log?.(`failed: ${describeNetworkError(error)}`);
      if (isPermanentNetworkError(error)) {
        throw new HttpError(`request to ${this.sites.name(current)} failed for ${pathOf(current)}: ${describeNetworkError(error)}`, current.href, {
          cause: error,
          hint: 'check the URL, your proxy settings and the system clock',
        });
      }
      return { kind: 'network', error, url: current };
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /** The politeness queue of the host `url` is on: one per origin, with the site's rule. */
  private limiterFor(url: URL): HostLimiter {
    let limiter = this.limiters.get(url.origin);
    if (!limiter) {
      limiter = new HostLimiter(this.sites.ruleFor(url), this.sites.name(url), this.maxRetryTimeMs, url.href);
      this.limiters.set(url.origin, limiter);
    }
    return limiter;
  }

  /**
   * Send one request: the single place every request goes through. The caller holds the
   * host's slot (HostLimiter) from before the request until its body is read.
   */
  private async send(undici: Undici, dispatcher: Dispatcher, url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    this.requests++;
    this.log?.(`GET ${url.href}`);
    return undici.fetch(url, { method: 'GET', headers, redirect: 'manual', signal, dispatcher });
  }

  private headersFor(url: URL, opts: GetOptions): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      'accept-encoding': 'gzip, br',
      accept: opts.accept ?? '*/*',
    };
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    if (opts.etag) headers['if-none-match'] = opts.etag;
    // The token goes to the Hugging Face origin only; a caller's own Authorization never leaves it either.
    const auth = this.sites.authorizationFor(url);
    if (auth !== undefined) headers.authorization = auth;
    else delete headers.authorization;
    return headers;
  }
}
