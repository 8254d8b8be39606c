/**
 * The large dependencies that only network and import commands need (undici, cheerio), loaded
 * on the first use and in one way wherever papers runs: from the ES modules of dist/ and from
 * the one-file bundle (dist/papers.cjs) alike, both take the packages' CommonJS builds from
 * node_modules through require(). One way, because the bundle cannot import(): it runs from
 * V8's code cache in a vm Script, where Node 20 has no dynamic import. So what the tests run
 * through dist/ is what the bundle loads, and `papers --version` pays for neither.
 */
import { createRequire } from 'node:module';

type Undici = typeof import('undici');
type CheerioSlim = typeof import('cheerio/slim');

let requireDep: NodeJS.Require | undefined;
let undici: Undici | undefined;
let cheerio: CheerioSlim | undefined;

function load<T>(name: string): T {
  requireDep ??= createRequire(import.meta.url);
  return requireDep(name) as T;
}

/** undici: the HTTP client every request goes through. */
export function loadUndici(): Undici {
  return (undici ??= load<Undici>('undici'));
}

/** cheerio without its document fetchers: the HTML and XML parser of the sources. */
export function loadCheerio(): CheerioSlim {
  return (cheerio ??= load<CheerioSlim>('cheerio/slim'));
}
