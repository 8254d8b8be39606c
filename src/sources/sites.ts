/**
 * What the tool knows about the sites it talks to: where they are (the PAPERS_*_URL variables
 * or the real sites), how politely each must be asked, which one a URL belongs to, and where
 * HF_TOKEN may go (the Hugging Face origin only: a token must never leak to another host,
 * not even through a redirect). The HTTP client applies these rules; it does not know the sites.
 *
 * A leaf module: it imports nothing, so the HTTP client and every source can read it.
 */

/** Base URLs of the upstreams, from PAPERS_*_URL or the real sites; no trailing slash. */
export interface BaseUrls {
  /** Hugging Face (API and pages). */
  hf: string;
  /** arXiv's site: listing pages (`/list/<cat>/new`). */
  arxiv: string;
  /** arXiv's Atom API (`/api/query`). */
  arxivApi: string;
  /** arXiv's OAI-PMH endpoint (the endpoint itself, not a base to append `/oai` to). */
  arxivOai: string;
  /** arXiv's RSS/Atom feeds (`/atom/cs.LG+cs.CL`). */
  arxivRss: string;
  /** Where PDFs are downloaded from (`/pdf/<id>v<N>`). */
  arxivPdf: string;
}

export const DEFAULT_BASE_URLS: BaseUrls = {
  hf: 'https://huggingface.co',
  arxiv: 'https://arxiv.org',
  arxivApi: 'https://export.arxiv.org',
  arxivOai: 'https://oaipmh.arxiv.org/oai',
  arxivRss: 'https://rss.arxiv.org',
  arxivPdf: 'https://arxiv.org',
};

/** The environment variable that overrides each base URL. */
export const BASE_URL_ENV: Record<keyof BaseUrls, string> = {
  hf: 'PAPERS_HF_URL',
  arxiv: 'PAPERS_ARXIV_URL',
  arxivApi: 'PAPERS_ARXIV_API_URL',
  arxivOai: 'PAPERS_ARXIV_OAI_URL',
  arxivRss: 'PAPERS_ARXIV_RSS_URL',
  arxivPdf: 'PAPERS_ARXIV_PDF_URL',
};

/** For error hints about a bad base URL. */
export const BASE_URL_HINT = `check ${Object.values(BASE_URL_ENV).join(', ')}`;

export function baseUrls(env: NodeJS.ProcessEnv = process.env): BaseUrls {
  const out = { ...DEFAULT_BASE_URLS };
  for (const key of Object.keys(out) as (keyof BaseUrls)[]) {
    const v = env[BASE_URL_ENV[key]]?.trim();
    out[key] = (v ? v : DEFAULT_BASE_URLS[key]).replace(/\/+$/, '');
  }
  return out;
}

/** How a host is treated: requests in flight at once, and the least time between two starts. */
export interface HostRule {
  concurrency: number;
  minIntervalMs: number;
}

/** The politeness classes of sites; every arXiv host shares arXiv's rule. */
export type SiteKey = 'hf' | 'arxiv' | 'arxivApi' | 'other';

/** Rules by site, as given to the HTTP client (tests shorten the arXiv spacing). */
export type HostRules = Partial<Record<SiteKey, Partial<HostRule>>>;

export const DEFAULT_HOST_RULES: Record<SiteKey, HostRule> = {
  hf: { concurrency: 4, minIntervalMs: 0 },
  // arXiv's terms of use: one connection at a time, at most one request every 3 seconds.
  arxiv: { concurrency: 1, minIntervalMs: 3000 },
  arxivApi: { concurrency: 1, minIntervalMs: 3000 },
  other: { concurrency: 4, minIntervalMs: 0 },
};

function originOf(base: string): string | null {
  try {
    return new URL(base).origin;
  } catch {
    return null;
  }
}

/** One site: its politeness class and its name in messages. */
interface Site {
  key: Exclude<SiteKey, 'other'>;
  name: string;
  origin: string | null;
}

/**
 * The sites of one environment, resolved once: which site a URL is on, the rule its host gets,
 * and the headers only that site may see.
 */
export class Sites {
  readonly bases: BaseUrls;
  private readonly sites: Site[];
  private readonly hfOrigin: string | null;
  private readonly token: string | undefined;
  private readonly rules: Record<SiteKey, HostRule>;

  constructor(env: NodeJS.ProcessEnv = process.env, rules: HostRules = {}) {
    this.bases = baseUrls(env);
    this.hfOrigin = originOf(this.bases.hf);
    this.token = env.HF_TOKEN?.trim() || undefined;
    // The listing site, the feeds and the PDFs are all arXiv: one rule (and in practice one host).
    this.sites = [
      { key: 'hf', name: 'Hugging Face', origin: this.hfOrigin },
      { key: 'arxiv', name: 'arXiv', origin: originOf(this.bases.arxiv) },
      { key: 'arxivApi', name: 'the arXiv API', origin: originOf(this.bases.arxivApi) },
      { key: 'arxivApi', name: 'arXiv OAI-PMH', origin: originOf(this.bases.arxivOai) },
      { key: 'arxiv', name: "arXiv's feeds", origin: originOf(this.bases.arxivRss) },
      { key: 'arxiv', name: 'arXiv', origin: originOf(this.bases.arxivPdf) },
    ];
    const num = (v: number | undefined, d: number, min: number): number => (v === undefined || !Number.isFinite(v) ? d : Math.max(min, v));
    const merged = { ...DEFAULT_HOST_RULES };
    for (const [k, r] of Object.entries(rules) as [SiteKey, Partial<HostRule>][]) {
      if (!(k in merged)) continue;
      merged[k] = {
        concurrency: Math.max(1, Math.floor(num(r.concurrency, merged[k].concurrency, 1))),
        minIntervalMs: num(r.minIntervalMs, merged[k].minIntervalMs, 0),
      };
    }
    this.rules = merged;
  }

  /** A friendly name for the site a URL is on: "Hugging Face", "arXiv", else the host. */
  name(url: URL): string {
    return this.sites.find((s) => s.origin === url.origin)?.name ?? url.host;
  }

  isHf(url: URL): boolean {
    return this.hfOrigin !== null && url.origin === this.hfOrigin;
  }

  /** Whether HF_TOKEN is set (it raises Hugging Face's rate limit; hints mention it). */
  get hasHfToken(): boolean {
    return this.token !== undefined;
  }

  /** The host rule of a URL's origin: the strictest of the sites served there. */
  ruleFor(url: URL): HostRule {
    const keys = [...new Set(this.sites.filter((s) => s.origin === url.origin).map((s) => s.key as SiteKey))];
    if (keys.length === 0) keys.push('other');
    const rules = keys.map((k) => this.rules[k]);
    return {
      concurrency: Math.min(...rules.map((r) => r.concurrency)),
      minIntervalMs: Math.max(...rules.map((r) => r.minIntervalMs)),
    };
  }

  /** The Authorization header for a request to `url`: HF_TOKEN on the Hugging Face origin, nothing elsewhere. */
  authorizationFor(url: URL): string | undefined {
    return this.token !== undefined && this.isHf(url) ? `Bearer ${this.token}` : undefined;
  }
}
