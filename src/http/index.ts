/**
 * The one HTTP module: every request the tool makes goes through HttpClient.get() (./client.ts).
 * Politeness per host is in ./limiter.ts, the wording of failures in ./errors.ts, and what is
 * known about each site (base URLs, token scope, host rules) in ../sources/sites.ts.
 */
export { HttpClient, USER_AGENT, joinUrl, type GetOptions, type HttpOptions } from './client.js';
export type { HttpResponse } from './body.js';
export { parseRateLimit, parseRetryAfter } from './limiter.js';
export { baseUrls, DEFAULT_HOST_RULES, type BaseUrls, type HostRule, type HostRules } from '../sources/sites.js';
