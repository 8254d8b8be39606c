/**
 * The one HTTP module: every request the tool makes goes through HttpClient.get().
 *
 * undici is imported lazily on the first request, so importing this module (for baseUrls,
 * joinUrl or USER_AGENT) costs nothing; only commands that really go to the network pay for it.
 */
import { readFileSync } from 'node:fs';
import type { Dispatcher, Response } from 'undici';
import { HttpError } from './errors.js';

export interface HttpOptions {
  /** Total timeout per attempt (headers and body, redirects included). Default 30 000. */
  timeoutMs?: number;
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
  /**
   * Politeness per site, over DEFAULT_HOST_RULES: Hugging Face a few requests at a time, arXiv
   * (listing site and API) one at a time, 3 s apart. Tests shorten the arXiv spacing here.
   */
  hostRules?: HostRules;
}

/** How a host is treated: requests in flight at once, and the least time between two starts. */
export interface HostRule {
  concurrency: number;
  minIntervalMs: number;
}

/** Rules by site: `hf`, `arxiv` (PAPERS_ARXIV_URL), `arxivApi` (PAPERS_ARXIV_API_URL), `other`. */
export type HostRules = Partial<Record<SiteKey, Partial<HostRule>>>;
type SiteKey = 'hf' | 'arxiv' | 'arxivApi' | 'other';

export const DEFAULT_HOST_RULES: Record<SiteKey, HostRule> = {
  hf: { concurrency: 4, minIntervalMs: 0 },
  // arXiv's terms of use: one connection at a time, at most one request every 3 seconds.
  arxiv: { concurrency: 1, minIntervalMs: 3000 },
  arxivApi: { concurrency: 1, minIntervalMs: 3000 },
  other: { concurrency: 4, minIntervalMs: 0 },
};

export interface GetOptions {
  headers?: Record<string, string>;
  /** A stored ETag: sent as If-None-Match; a 304 answer gives notModified: true. */
  etag?: string | null;
  accept?: string;
  /** Fewer retries for this request than the client's (e.g. when a fallback exists). */
  retries?: number;
  /** Error statuses whose body the caller reads (arXiv's error feed comes with 400): returned, not thrown. */
  bodyOnStatus?: number[];
}

export interface HttpResponse {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  etag: string | null;
  notModified: boolean;
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

function readVersion(): string {
  try {
    // src/http.ts and dist/http.js both sit one level below package.json.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const USER_AGENT = `papers/${readVersion()} (+${PROJECT_URL})`;

/** Base URLs of the three upstreams, from PAPERS_*_URL or the real sites; no trailing slash. */
export function baseUrls(env: NodeJS.ProcessEnv = process.env): { hf: string; arxiv: string; arxivApi: string } {
  const pick = (value: string | undefined, fallback: string): string => {
    const v = value?.trim();
    return (v ? v : fallback).replace(/\/+$/, '');
  };
  return {
    hf: pick(env.PAPERS_HF_URL, 'https://huggingface.co'),
    arxiv: pick(env.PAPERS_ARXIV_URL, 'https://arxiv.org'),
    arxivApi: pick(env.PAPERS_ARXIV_API_URL, 'https://export.arxiv.org'),
  };
}

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

type Undici = typeof import('undici');
let undiciModule: Promise<Undici> | undefined;
function loadUndici(): Promise<Undici> {
  undiciModule ??= import('undici');
  return undiciModule;
}

/** What one attempt that may be retried ended with. */
type Retryable =
  | { kind: 'status'; status: number; statusText: string; retryAfterMs: number | undefined; url: URL }
  | { kind: 'timeout'; error: unknown; url: URL }
  | { kind: 'network'; error: unknown; url: URL };

type AttemptResult = { kind: 'ok'; response: HttpResponse } | Retryable;

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
  private readonly bases: { hf: string; arxiv: string; arxivApi: string };
  private readonly hfOrigin: string | null;
  private dispatcher: Dispatcher | undefined;
  private closed = false;
  private readonly hostRules: Record<SiteKey, HostRule>;
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
    this.bases = baseUrls(this.env);
    this.hfOrigin = originOf(this.bases.hf);
    const rules = { ...DEFAULT_HOST_RULES };
    for (const [k, r] of Object.entries(opts.hostRules ?? {}) as [SiteKey, Partial<HostRule>][]) {
      if (!(k in rules)) continue;
      rules[k] = {
        concurrency: Math.max(1, Math.floor(num(r.concurrency, rules[k].concurrency, 1))),
        minIntervalMs: num(r.minIntervalMs, rules[k].minIntervalMs),
      };
    }
    this.hostRules = rules;
  }

  async get(url: string, opts: GetOptions = {}): Promise<HttpResponse> {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      throw new HttpError(`invalid URL ${JSON.stringify(url)}`, url, {
        cause: err,
        hint: 'check PAPERS_HF_URL, PAPERS_ARXIV_URL and PAPERS_ARXIV_API_URL',
      });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new HttpError(`unsupported URL ${JSON.stringify(url)} (only http and https)`, url, {
        hint: 'check PAPERS_HF_URL, PAPERS_ARXIV_URL and PAPERS_ARXIV_API_URL',
      });
    }
    if (this.closed) throw new HttpError('HTTP client already closed', url);
    const undici = await loadUndici();
    const dispatcher = this.getDispatcher(undici, url);

    const attempts = Math.floor(Math.min(opts.retries ?? this.retries, this.retries)) + 1;
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(undici, dispatcher, target, opts);
      if (result.kind === 'ok') return result.response;

      let gaveUpEarly = false;
      if (attempt + 1 < attempts) {
        const backoff = this.baseDelayMs * 2 ** attempt;
        const jittered = backoff * (0.5 + Math.random() * 0.5);
        const retryAfter = result.kind === 'status' ? result.retryAfterMs : undefined;
        const wait = Math.max(jittered, retryAfter ?? 0);
        if (waited + wait <= this.maxRetryTimeMs) {
          this.log?.(`retrying in ${formatSeconds(wait)} (${describeRetryable(result, this.timeoutMs)}; attempt ${attempt + 2} of ${attempts})`);
          await sleep(wait);
          waited += wait;
          continue;
        }
        gaveUpEarly = true;
        this.log?.(`not retrying: waiting ${formatSeconds(wait)} more would exceed the ${formatSeconds(this.maxRetryTimeMs)} retry budget`);
      }
      throw this.failure(result, attempt + 1, gaveUpEarly);
    }
  }

  /** Close keep-alive connections. */
  async close(): Promise<void> {
    this.closed = true;
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
   * One attempt: the request, its redirects and the body, under one timeout. Returns the
   * response or a failure that may be retried; throws HttpError for failures that may not.
   */
  private async attempt(undici: Undici, dispatcher: Dispatcher, target: URL, opts: GetOptions): Promise<AttemptResult> {
    // Wait for the host's turn first: time in the politeness queue is not part of the timeout.
    let release = await this.limiterFor(target).acquire(this.log);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${formatSeconds(this.timeoutMs)}`));
    }, this.timeoutMs);
    let current = target;
    try {
      for (let hop = 0; ; hop++) {
        if (hop > 0) {
          // A redirect: the slot held so far is given back, the next host's is taken.
          release();
          release = () => undefined;
          release = await this.limiterFor(current).acquire(this.log);
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
              `too many redirects (more than ${MAX_REDIRECTS}) from ${this.siteName(target)} for ${pathOf(target)}`,
              current.href,
              { status: res.status, hint: 'the server redirects in a loop; check the base URL or try again later' },
            );
          }
          try {
            current = new URL(location, current);
          } catch (err) {
            throw new HttpError(`${this.siteName(current)} redirected to an invalid URL ${JSON.stringify(location)}`, current.href, {
              status: res.status,
              cause: err,
            });
          }
          continue;
        }

        if (res.status === 304) {
          await discard(res);
          this.log?.(`304 Not Modified (${elapsed()})`);
          return { kind: 'ok', response: this.makeResponse(current, res, '', true) };
        }

        if ((res.status >= 200 && res.status < 300) || opts.bodyOnStatus?.includes(res.status)) {
          const body = await this.readBody(res, current, controller);
          this.log?.(`${res.status} ${statusText(res)} (${elapsed()}, ${formatBytes(Buffer.byteLength(body))})`);
          return { kind: 'ok', response: this.makeResponse(current, res, body, false) };
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
        throw new HttpError(`${this.siteName(current)} answered ${res.status} ${statusText(res)} for ${pathOf(current)}`, current.href, {
          status: res.status,
          hint: this.statusHint(res.status, current),
        });
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const error = unwrapFetchError(err);
      if (timedOut) {
        this.log?.(`timed out after ${formatSeconds(this.timeoutMs)}`);
        return { kind: 'timeout', error, url: current };
      }
      this.log?.(`failed: ${describeNetworkError(error)}`);
      if (isPermanentNetworkError(error)) {
        throw new HttpError(`request to ${this.siteName(current)} failed for ${pathOf(current)}: ${describeNetworkError(error)}`, current.href, {
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

  /** The politeness queue of the host `url` is on (one per origin; the strictest rule of the sites there). */
  private limiterFor(url: URL): HostLimiter {
    let limiter = this.limiters.get(url.origin);
    if (!limiter) {
      const sites: SiteKey[] = [];
      if (url.origin === this.hfOrigin) sites.push('hf');
      if (url.origin === originOf(this.bases.arxiv)) sites.push('arxiv');
      if (url.origin === originOf(this.bases.arxivApi)) sites.push('arxivApi');
      if (sites.length === 0) sites.push('other');
      const rules = sites.map((k) => this.hostRules[k]);
      const rule = {
        concurrency: Math.min(...rules.map((r) => r.concurrency)),
        minIntervalMs: Math.max(...rules.map((r) => r.minIntervalMs)),
      };
      limiter = new HostLimiter(rule, this.siteName(url), this.maxRetryTimeMs, url.href);
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
    const token = this.env.HF_TOKEN?.trim();
    if (token && this.hfOrigin !== null && url.origin === this.hfOrigin) {
      headers.authorization = `Bearer ${token}`;
    } else {
      delete headers.authorization;
    }
    return headers;
  }

  /** Read the body as a stream, enforcing the size cap on the decoded bytes. */
  private async readBody(res: Response, url: URL, controller: AbortController): Promise<string> {
    const tooLarge = () =>
      new HttpError(
        `response too large from ${this.siteName(url)} for ${pathOf(url)} (more than ${formatBytes(this.maxBytes)})`,
        url.href,
        { status: res.status, hint: 'the answer exceeds the size limit; narrow the request' },
      );
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      controller.abort(new Error('response too large'));
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        total += chunk.byteLength;
        if (total > this.maxBytes) {
          controller.abort(new Error('response too large'));
          throw tooLarge();
        }
        chunks.push(chunk);
      }
    }
    return decoder(res.headers.get('content-type')).decode(Buffer.concat(chunks, total));
  }

  private makeResponse(url: URL, res: Response, body: string, notModified: boolean): HttpResponse {
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { url: url.href, status: res.status, headers, body, etag: res.headers.get('etag'), notModified };
  }

  /** A friendly name for the site a URL belongs to. */
  private siteName(url: URL): string {
    if (url.origin === this.hfOrigin) return 'Hugging Face';
    if (url.origin === originOf(this.bases.arxiv)) return 'arXiv';
    if (url.origin === originOf(this.bases.arxivApi)) return 'the arXiv API';
    return url.host;
  }

  private isHf(url: URL): boolean {
    return url.origin === this.hfOrigin;
  }

  private statusHint(status: number, url: URL): string | undefined {
    if (status === 429) {
      if (this.isHf(url)) {
        return this.env.HF_TOKEN?.trim()
          ? 'rate limited by Hugging Face; wait a few minutes and try again'
          : 'rate limited by Hugging Face; wait a few minutes and try again, or set HF_TOKEN to raise the limit';
      }
      return `rate limited by ${this.siteName(url)}; wait a few minutes and try again`;
    }
    if (status >= 500) return 'the server is having trouble; try again later';
    if ((status === 401 || status === 403) && this.isHf(url) && this.env.HF_TOKEN?.trim()) {
      return 'check that HF_TOKEN is a valid token';
    }
    return undefined;
  }

  private failure(result: Retryable, attempts: number, gaveUpEarly: boolean): HttpError {
    const url = result.url;
    const site = this.siteName(url);
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    switch (result.kind) {
      case 'status': {
        let hint = this.statusHint(result.status, url) ?? 'try again later';
        if (gaveUpEarly && result.retryAfterMs !== undefined) {
          hint += ` (the server asks to wait ${formatSeconds(result.retryAfterMs)})`;
        }
        return new HttpError(`${site} answered ${result.status} ${result.statusText} for ${pathOf(url)}${after}`, url.href, {
          status: result.status,
          hint,
        });
      }
      case 'timeout':
        return new HttpError(`request to ${site} timed out after ${formatSeconds(this.timeoutMs)} for ${pathOf(url)}${after}`, url.href, {
          cause: result.error,
          hint: 'try again later, or allow more time with --timeout',
        });
      case 'network':
        return new HttpError(`request to ${site} failed for ${pathOf(url)}${after}: ${describeNetworkError(result.error)}`, url.href, {
          cause: result.error,
          hint: 'check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), or try again later',
        });
    }
  }
}

// ---- politeness ----------------------------------------------------------------------------

/**
 * One host's queue: at most `concurrency` requests in flight, starts at least `minIntervalMs`
 * apart, and pauses when the host says so (Retry-After on 429, a RateLimit window nearly used).
 * A pause longer than the retry budget is not waited out: the request fails at once, so a run
 * stops cleanly instead of sitting for minutes or hammering a host that refuses.
 */
class HostLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** The earliest start the spacing allows (epoch ms): minIntervalMs after the last start and end. */
  private nextStart = 0;
  /** The host asked for a pause until then (Retry-After, RateLimit), and why. */
  private pausedUntil = 0;
  private pausedBecause = '';

  constructor(
    private readonly rule: HostRule,
    private readonly site: string,
    private readonly maxWaitMs: number,
    private readonly url: string,
  ) {}

  /** Wait for a slot and for the host's spacing; returns the function that gives the slot back. */
  async acquire(log?: (msg: string) => void): Promise<() => void> {
    if (this.active < this.rule.concurrency && this.waiting.length === 0) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // Spacing counts from the end of a request too: the host never sees two closer than that.
      this.nextStart = Math.max(this.nextStart, Date.now() + this.rule.minIntervalMs);
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
    const now = Date.now();
    const start = Math.max(now, this.nextStart, this.pausedUntil);
    if (this.pausedUntil - now > this.maxWaitMs) {
      release();
      throw new HttpError(`${this.site} asks to pause for ${formatSeconds(this.pausedUntil - now)} (${this.pausedBecause})`, this.url, {
        status: 429,
        hint: 'stopped rather than wait that long or keep asking; try again later',
      });
    }
    this.nextStart = start + this.rule.minIntervalMs;
    if (start > now) {
      if (start - now >= 1000) log?.(`waiting ${formatSeconds(start - now)} before the next request to ${this.site}`);
      await sleep(start - now);
    }
    return release;
  }

  /** Take note of what the host said about its limits. */
  observe(status: number, headers: { get(name: string): string | null }, log?: (msg: string) => void): void {
    const now = Date.now();
    if (status === 429 || status === 503) {
      const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
      if (retryAfter !== undefined) this.pauseUntil(now + retryAfter, `Retry-After ${formatSeconds(retryAfter)}`);
    }
    const rl = parseRateLimit(headers);
    if (!rl) return;
    const low = rl.limit !== undefined ? Math.max(2, Math.ceil(rl.limit / 20)) : 5;
    if (rl.remaining > low) return;
    // Spread what is left of the window over the time until it resets; none left: wait for the reset.
    const wait = rl.remaining <= 0 ? rl.resetMs : rl.resetMs / (rl.remaining + 1);
    if (wait <= 0) return;
    log?.(`${this.site} rate limit nearly used (${rl.remaining} left${rl.limit !== undefined ? ` of ${rl.limit}` : ''}, resets in ${formatSeconds(rl.resetMs)}): slowing down`);
    this.pauseUntil(now + wait, `rate limit: ${rl.remaining} requests left, window resets in ${formatSeconds(rl.resetMs)}`);
  }

  private pauseUntil(at: number, why: string): void {
    if (at <= this.pausedUntil) return;
    this.pausedUntil = at;
    this.pausedBecause = why;
  }
}

/**
 * The RateLimit headers of the IETF drafts: `RateLimit: limit=500, remaining=3, reset=120`,
 * the later structured form `RateLimit: "api";r=3;t=120` (with `RateLimit-Policy: …;q=500`), or
 * separate `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (reset in seconds).
 */
export function parseRateLimit(headers: { get(name: string): string | null }): { remaining: number; resetMs: number; limit?: number } | undefined {
  const params = (value: string | null): Map<string, number> => {
    const out = new Map<string, number>();
    for (const part of (value ?? '').split(/[,;]/)) {
      const m = /^\s*([a-z-]+)\s*=\s*"?(\d+(?:\.\d+)?)"?\s*$/i.exec(part);
      if (m && !out.has(m[1]!.toLowerCase())) out.set(m[1]!.toLowerCase(), Number(m[2]));
    }
    return out;
  };
  const combined = params(headers.get('ratelimit'));
  const policy = params(headers.get('ratelimit-policy'));
  const num = (v: string | null): number | undefined => {
    const m = /^\s*(\d+(?:\.\d+)?)/.exec(v ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const remaining = combined.get('remaining') ?? combined.get('r') ?? num(headers.get('ratelimit-remaining'));
  const reset = combined.get('reset') ?? combined.get('t') ?? num(headers.get('ratelimit-reset'));
  if (remaining === undefined || reset === undefined) return undefined;
  const limit = combined.get('limit') ?? policy.get('q') ?? num(headers.get('ratelimit-limit')) ?? num(headers.get('ratelimit-policy'));
  return { remaining, resetMs: reset * 1000, ...(limit !== undefined ? { limit } : {}) };
}

// ---- helpers -------------------------------------------------------------------------------

function originOf(base: string): string | null {
  try {
    return new URL(base).origin;
  } catch {
    return null;
  }
}

function pathOf(url: URL): string {
  return url.pathname + url.search;
}

// A few reason phrases for servers that send none (node:http's STATUS_CODES costs ~8 ms to load).
const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function statusText(res: Response): string {
  return res.statusText || REASONS[res.status] || '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // nothing to do: the connection is dropped.
  }
}

/** The first few hundred characters of an error body, for --verbose. */
async function readSnippet(res: Response, limit = 300): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // best effort
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function decoder(contentType: string | null) {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset);
    } catch {
      // unknown label: fall back to UTF-8
    }
  }
  return new TextDecoder('utf-8');
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** fetch wraps the real error in TypeError('fetch failed' / 'terminated'); keep the informative one. */
function unwrapFetchError(err: unknown): unknown {
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

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isPermanentNetworkError(err: unknown): boolean {
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

function describeNetworkError(err: unknown): string {
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

function describeRetryable(r: Retryable, timeoutMs: number): string {
  switch (r.kind) {
    case 'status':
      return `${r.status} ${r.statusText}${r.retryAfterMs !== undefined ? `, Retry-After ${formatSeconds(r.retryAfterMs)}` : ''}`;
    case 'timeout':
      return `timed out after ${formatSeconds(timeoutMs)}`;
    case 'network':
      return describeNetworkError(r.error);
  }
}

function formatSeconds(ms: number): string {
  if (ms < 100) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10}s`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}
