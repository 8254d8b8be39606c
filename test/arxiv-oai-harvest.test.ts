/**
 * The OAI-PMH harvest driver against a real OAI-PMH server on 127.0.0.1 (test/helpers/oai-server.ts):
 * token paging, spacing, 503 + Retry-After, failures mid-harvest and resuming, expired tokens,
 * incremental runs. Time is a virtual clock (sleeps advance it at once) except in the one test
 * that proves the real spacing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { harvest, incrementalFrom, listRecordsUrl, OAI_MIN_INTERVAL_MS, retryAfterMs, type HarvestClock, type HarvestPage, type OaiFetcher } from '../src/sources/arxiv/harvest.js';
import { makeRecords, startOaiServer, type OaiServer } from './helpers/oai-server.js';

/** A real HTTP GET (Node's fetch) that returns every status, as the harvest expects. */
function realFetcher(onGet?: (url: string) => void): OaiFetcher {
  return {
    async get(url) {
      onGet?.(url);
      const res = await fetch(url);
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
    },
  };
}

/** A clock whose sleeps pass at once; `starts` holds the virtual time of each request. */
function virtualClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const clock: HarvestClock = {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
  return { clock, sleeps, now: () => t };
}

/** What a caller of harvest() stores after each page: the records by id, the token, the responseDate. */
function store() {
  const papers = new Map<string, number>();
  const state = { token: null as string | null, responseDate: null as string | null, pages: [] as HarvestPage[] };
  const onPage = (page: HarvestPage) => {
    for (const p of page.records) papers.set(p.id!, (papers.get(p.id!) ?? 0) + 1);
    state.token = page.token;
    state.responseDate = page.responseDate;
    state.pages.push(page);
  };
  return { papers, state, onPage };
}

let server: OaiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const RECORDS = makeRecords(23);
const CS = RECORDS.filter((r) => r.sets.includes('cs'));
const CS_LIVE = CS.filter((r) => !r.deleted).map((r) => r.id);
const CS_DELETED = CS.filter((r) => r.deleted).map((r) => r.id);

describe('harvest', () => {
  it('harvests every record of the set once across token pages, asking with the token alone after the first page', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5 });
    const v = virtualClock();
    const starts: number[] = [];
    const s = store();
    const result = await harvest({ fetcher: realFetcher(() => starts.push(v.now())), baseUrl: server.url, set: 'cs', from: '2025-01-01', onPage: s.onPage, clock: v.clock });

    const pages = Math.ceil(CS.length / 5);
    expect(result).toMatchObject({ pages, records: CS_LIVE.length, deleted: CS_DELETED.length, restarted: false });
    expect([...s.papers.keys()].sort()).toEqual([...CS_LIVE].sort());
    expect([...s.papers.values()].every((n) => n === 1)).toBe(true);
    expect(s.state.pages.flatMap((p) => p.deleted).sort()).toEqual([...CS_DELETED].sort());
    expect(s.state.token).toBeNull();
    expect(s.state.pages.map((p) => p.page)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    expect(s.state.pages.map((p) => p.cursor)).toEqual(Array.from({ length: pages }, (_, i) => i * 5));
    expect(s.state.pages.every((p) => p.completeListSize === CS.length)).toBe(true);

    const reqs = server.requests;
    expect(reqs).toHaveLength(pages);
    expect(Object.fromEntries(reqs[0]!.query)).toEqual({ verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cs', from: '2025-01-01' });
    for (const r of reqs.slice(1)) expect([...r.query.keys()].sort()).toEqual(['resumptionToken', 'verb']);
    // Each token asked for once: no page twice.
    expect(new Set(reqs.slice(1).map((r) => r.query.get('resumptionToken'))).size).toBe(pages - 1);
    // At least 3 s (virtual) between two requests.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(OAI_MIN_INTERVAL_MS);
  });

  it('waits at least 3 s of real time between two requests to the server', { timeout: 30_000 }, async () => {
    server = await startOaiServer({ records: makeRecords(4), pageSize: 2 });
    const s = store();
    await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', onPage: s.onPage });
    const at = server.requests.map((r) => r.at);
    expect(at.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(3000);
  });

  it('hands each page to onPage before asking for the next', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5 });
    const v = virtualClock();
    const events: string[] = [];
    await harvest({
      fetcher: realFetcher(() => events.push('get')), baseUrl: server.url, set: 'cs', clock: v.clock,
      onPage: async () => {
        await new Promise((r) => setTimeout(r, 5));
        events.push('stored');
      },
    });
    expect(events.join(' ')).toBe(Array.from({ length: Math.ceil(CS.length / 5) }, () => 'get stored').join(' '));
  });

  it('honours 503 with Retry-After (seconds), then asks again for the same page', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5, busyOn: [2, 3], retryAfter: '7' });
    const v = virtualClock();
    const starts: number[] = [];
    const s = store();
    const result = await harvest({ fetcher: realFetcher(() => starts.push(v.now())), baseUrl: server.url, set: 'cs', onPage: s.onPage, clock: v.clock });
    expect(result.records).toBe(CS_LIVE.length);
    expect([...s.papers.values()].every((n) => n === 1)).toBe(true);
    const tokens = server.requests.map((r) => r.query.get('resumptionToken'));
    // Requests 2, 3 (503) and 4 all ask for the second page.
    expect(tokens[1]).not.toBeNull();
    expect(tokens[2]).toBe(tokens[1]);
    expect(tokens[3]).toBe(tokens[1]);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(7000);
    expect(starts[3]! - starts[2]!).toBeGreaterThanOrEqual(7000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it('gives up on a server that stays busy or asks for too long a wait, keeping the pages it had', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5, busyOn: [2, 3, 4, 5], retryAfter: '5' });
    const s = store();
    const err = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', onPage: s.onPage, clock: virtualClock().clock, maxRetries: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect(s.state.pages).toHaveLength(1);
    expect(server.requests).toHaveLength(4);
    await server.close();

    server = await startOaiServer({ records: RECORDS, pageSize: 5, busyOn: [1], retryAfter: '86400' });
    const err2 = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', onPage: store().onPage, clock: virtualClock().clock }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(HttpError);
    expect((err2 as HttpError).message).toMatch(/86400 s/);
    expect(server.requests).toHaveLength(1);
  });

  it('after a failure mid-harvest, resumes from the stored token without asking again for finished pages', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5, failOn: [3] });
    const v = virtualClock();
    const s = store();
    const err = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', from: '2025-01-01', onPage: s.onPage, clock: v.clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(500);
    expect(s.state.pages).toHaveLength(2);
    const stored = s.state.token;
    expect(stored).not.toBeNull();

    const before = server.requests.length;
    const result = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', from: '2025-01-01', resumptionToken: stored, onPage: s.onPage, clock: v.clock });
    const resumed = server.requests.slice(before);
    expect(Object.fromEntries(resumed[0]!.query)).toEqual({ verb: 'ListRecords', resumptionToken: stored });
    expect(result.restarted).toBe(false);
    // Every record once over both runs; no list restarted.
    expect([...s.papers.keys()].sort()).toEqual([...CS_LIVE].sort());
    expect([...s.papers.values()].every((n) => n === 1)).toBe(true);
    expect(server.requests.filter((r) => r.query.has('metadataPrefix'))).toHaveLength(1);
  });

  it('stops between pages when aborted (Ctrl-C), and resumes after the last stored page', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5 });
    const v = virtualClock();
    const s = store();
    const ac = new AbortController();
    const err = await harvest({
      fetcher: realFetcher(), baseUrl: server.url, set: 'cs', clock: v.clock, signal: ac.signal,
      onPage: (p) => {
        s.onPage(p);
        if (p.page === 2) ac.abort(new Error('interrupted'));
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('interrupted');
    expect(server.requests).toHaveLength(2);
    await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', resumptionToken: s.state.token, onPage: s.onPage, clock: v.clock });
    expect([...s.papers.values()].every((n) => n === 1)).toBe(true);
    expect(s.papers.size).toBe(CS_LIVE.length);
    expect(server.requests).toHaveLength(Math.ceil(CS.length / 5));
  });

  it('asks for the list again from its date when the stored token has expired', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5, failOn: [2] });
    const v = virtualClock();
    const s = store();
    await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', from: '2025-01-07', onPage: s.onPage, clock: v.clock }).catch(() => undefined);
    server.expireTokens();
    const expired = s.state.token;
    expect(expired).not.toBeNull();
    const logs: string[] = [];
    const before = server.requests.length;
    const result = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', from: '2025-01-07', resumptionToken: s.state.token, onPage: s.onPage, clock: v.clock, log: (m) => logs.push(m) });
    expect(result.restarted).toBe(true);
    const again = server.requests.slice(before);
    expect(Object.fromEntries(again[0]!.query)).toEqual({ verb: 'ListRecords', resumptionToken: expired });
    expect(Object.fromEntries(again[1]!.query)).toEqual({ verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cs', from: '2025-01-07' });
    expect(logs.some((m) => /no longer valid/.test(m))).toBe(true);
    const wanted = CS.filter((r) => !r.deleted && r.datestamp >= '2025-01-07').map((r) => r.id).sort();
    expect([...s.papers.keys()].sort()).toEqual(wanted);
  });

  it('fails on a bad token in the middle of a run (not one it resumed from)', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5 });
    const v = virtualClock();
    const srv = server;
    const err = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', clock: v.clock, onPage: () => srv.expireTokens() }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('badResumptionToken');
    expect(server.requests).toHaveLength(2);
  });

  it('runs incrementally from the day of the last responseDate, and takes noRecordsMatch as zero records', async () => {
    // Datestamps 6 to 9 January; the first harvest's answer is dated the 10th.
    const base = makeRecords(23, { days: 4 });
    server = await startOaiServer({ records: base, pageSize: 5, responseDate: () => '2025-01-10T21:30:00Z' });
    const v = virtualClock();
    const s = store();
    const first = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', onPage: s.onPage, clock: v.clock });
    expect(first.responseDate).toBe('2025-01-10T21:30:00Z');

    // Later, arXiv modifies three papers (a new version) on the 10th and 11th, and adds one.
    const changed = base.map((r, i) => (i === 0 || i === 4 || i === 8
      ? { ...r, datestamp: i === 0 ? '2025-01-10' : '2025-01-11', versions: [...r.versions, { date: 'Sat, 11 Jan 2025 09:00:00 GMT', size: '1kb' }] }
      : r));
    const added = { ...makeRecords(1, { prefix: '2501', firstDay: '2025-01-11' })[0]!, id: '2501.99999' };
    server.setRecords([...changed, added]);
    const from = incrementalFrom(first.responseDate!);
    expect(from).toBe('2025-01-10');
    const s2 = store();
    const before = server.requests.length;
    await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', from, onPage: s2.onPage, clock: v.clock });
    expect(server.requests[before]!.query.get('from')).toBe('2025-01-10');
    expect([...s2.papers.keys()].sort()).toEqual(['2501.00001', '2501.00005', '2501.00009', '2501.99999']);
    const updated = s2.state.pages.flatMap((p) => p.records).find((p) => p.id === '2501.00005')!;
    expect(updated.updatedAt).toBe('2025-01-11');
    expect(updated.versions.at(-1)!.version).toBe(updated.versions.length);
    expect(updated.publishedAt).toBe(s.state.pages.flatMap((p) => p.records).find((p) => p.id === '2501.00005')!.publishedAt);

    // Nothing modified since: one request, one empty page, no token.
    const s3 = store();
    const none = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', from: '2025-02-01', onPage: s3.onPage, clock: v.clock });
    expect(none).toMatchObject({ pages: 1, records: 0 });
    expect(s3.state.pages).toHaveLength(1);
    expect(s3.state.pages[0]!.records).toEqual([]);
    expect(s3.state.token).toBeNull();
  });

  it('fails at once on another HTTP status, and on a server that does not answer', async () => {
    server = await startOaiServer({ records: RECORDS, pageSize: 5, failOn: [1] });
    const err = await harvest({ fetcher: realFetcher(), baseUrl: server.url, set: 'cs', onPage: store().onPage, clock: virtualClock().clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(500);
    expect(server.requests).toHaveLength(1);
    const url = server.url;
    await server.close();
    server = undefined;
    const err2 = await harvest({ fetcher: realFetcher(), baseUrl: url, set: 'cs', onPage: store().onPage, clock: virtualClock().clock }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(HttpError);
    expect((err2 as HttpError).message).toMatch(/OAI-PMH request failed/);
  });

  it('builds ListRecords URLs under a base with a path, the token alone', () => {
    expect(listRecordsUrl('http://127.0.0.1:8080/mirror/oai', { set: 'physics:hep-th', from: '2025-01-01', until: '2025-01-31' }))
      .toBe('http://127.0.0.1:8080/mirror/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=physics%3Ahep-th&from=2025-01-01&until=2025-01-31');
    expect(listRecordsUrl('http://127.0.0.1:8080/mirror/oai', { token: '6091524|1001', set: 'cs', from: '2025-01-01' }))
      .toBe('http://127.0.0.1:8080/mirror/oai?verb=ListRecords&resumptionToken=6091524%7C1001');
    expect(incrementalFrom('2025-01-10T23:59:59Z')).toBe('2025-01-10');
    expect(() => incrementalFrom('garbage')).toThrow(/responseDate/);
  });
});
