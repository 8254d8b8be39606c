/**
 * Politeness per host: at most `concurrency` requests in flight, starts at least
 * `minIntervalMs` apart, and a pause when the host says so (Retry-After on 429 or 503, a
 * RateLimit window nearly used). The rules themselves are site knowledge (../sources/sites.ts).
 */
import type { HostRule } from '../sources/sites.js';
import { HttpError, formatSeconds } from './errors.js';

/** How long a caller may still wait: ms left before its deadline (Infinity without one). */
export type TimeLeft = () => number;

/**
 * One host's queue. A pause longer than `maxWaitMs` (the retry budget) or than the time the
 * command has left is not waited out: the request fails at once, so a run stops cleanly instead
 * of sitting for minutes or hammering a host that refuses.
 */
export class HostLimiter {
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

  /**
   * Wait for a slot and for the host's spacing; returns the function that gives the slot back.
   * `signal` ends the wait (the command's deadline); the caller words that failure.
   */
  async acquire(log?: (msg: string) => void, timeLeft: TimeLeft = () => Infinity, signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.rule.concurrency && this.waiting.length === 0) this.active++;
    else {
      // The slot is handed over by the request before; a deadline that ends the wait takes it out of the queue.
      await new Promise<void>((resolve, reject) => {
        const take = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(take);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(take);
      });
    }
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
    if (this.pausedUntil - now > Math.min(this.maxWaitMs, timeLeft())) {
      release();
      throw new HttpError(`${this.site} asks to pause for ${formatSeconds(this.pausedUntil - now)} (${this.pausedBecause})`, this.url, {
        status: 429,
        hint: 'stopped rather than wait that long or keep asking; try again later',
      });
    }
    this.nextStart = start + this.rule.minIntervalMs;
    if (start > now) {
      if (start - now >= 1000) log?.(`waiting ${formatSeconds(start - now)} before the next request to ${this.site}`);
      try {
        await sleep(start - now, signal);
      } catch (err) {
        release();
        throw err;
      }
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

/** Wait `ms`, or less when `signal` aborts (then reject with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
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
