import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { baseUrls, HttpClient, joinUrl, parseRetryAfter, USER_AGENT, type HttpOptions } from '../src/http/index.js';
import { startServer, type TestServer } from './helpers/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(opts?: { prefix?: string }): Promise<TestServer> {
  const s = await startServer(opts);
  cleanups.push(() => s.close());
  return s;
}

function client(opts: HttpOptions = {}): HttpClient {
  const c = new HttpClient({ baseDelayMs: 5, env: {}, ...opts });
  cleanups.push(() => c.close());
  return c;
}

async function failure(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('expected the request to fail');
}

describe('joinUrl and baseUrls', () => {
  it('joins a base with a path prefix, a path and a query', () => {
    expect(joinUrl('http://127.0.0.1:8080/mirror', '/api/daily_papers', { date: '2024-08-01' })).toBe(
      'http://127.0.0.1:8080/mirror/api/daily_papers?date=2024-08-01',
    );
    expect(joinUrl('https://huggingface.co/', 'api/papers/2410.17243')).toBe('https://huggingface.co/api/papers/2410.17243');
    expect(joinUrl('https://huggingface.co', '/api/papers/search', { q: 'state space & "diffusion"', limit: 20, p: undefined })).toBe(
      'https://huggingface.co/api/papers/search?q=state%20space%20%26%20%22diffusion%22&limit=20',
    );
    expect(joinUrl('https://x.org', '/a?b=1', { c: 2 })).toBe('https://x.org/a?b=1&c=2');
    expect(joinUrl('https://x.org', '/a', {})).toBe('https://x.org/a');
  });

  it('reads base URLs from the environment, without trailing slashes', () => {
    const defaults = {
      hf: 'https://huggingface.co', arxiv: 'https://arxiv.org', arxivApi: 'https://export.arxiv.org',
      arxivOai: 'https://oaipmh.arxiv.org/oai', arxivRss: 'https://rss.arxiv.org', arxivPdf: 'https://arxiv.org',
    };
    expect(baseUrls({})).toEqual(defaults);
    expect(
      baseUrls({
        PAPERS_HF_URL: 'http://127.0.0.1:1/mirror/', PAPERS_ARXIV_URL: 'http://a//', PAPERS_ARXIV_API_URL: ' ',
        PAPERS_ARXIV_OAI_URL: 'http://o/oai/', PAPERS_ARXIV_RSS_URL: 'http://r', PAPERS_ARXIV_PDF_URL: 'http://p/',
      }),
    ).toEqual({ ...defaults, hf: 'http://127.0.0.1:1/mirror', arxiv: 'http://a', arxivOai: 'http://o/oai', arxivRss: 'http://r', arxivPdf: 'http://p' });
  });

  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('has a descriptive User-Agent', () => {
    expect(USER_AGENT).toMatch(/^papers\/\d+\.\d+\.\d+\S* \(\+https:\/\/github\.com\/papers-cli\/papers\)$/);
  });
});

describe('HttpClient', () => {
  it('sends the User-Agent and returns body, headers and ETag', async () => {
    const s = await server();
    s.route('/api/daily_papers', { headers: { 'content-type': 'application/json', etag: 'W/"abc"' }, body: '[{"id":"2410.17243"}]' });
    const c = client();
    const res = await c.get(joinUrl(s.url, '/api/daily_papers', { date: '2024-08-01' }), { accept: 'application/json' });
    expect(res).toMatchObject({ status: 200, body: '[{"id":"2410.17243"}]', etag: 'W/"abc"', notModified: false });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.url).toBe(`${s.url}/api/daily_papers?date=2024-08-01`);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.headers['user-agent']).toBe(USER_AGENT);
    expect(s.requests[0]!.headers.accept).toBe('application/json');
    expect(s.requests[0]!.query.get('date')).toBe('2024-08-01');
    expect(c.requests).toBe(1);
  });

  it('decodes gzip bodies and honours the charset', async () => {
    const s = await server();
    s.route('/gz', { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain; charset=utf-8' }, body: gzipSync('Schrödinger ∂') });
    s.route('/latin1', { headers: { 'content-type': 'text/html; charset=iso-8859-1' }, body: Buffer.from([0x63, 0x61, 0x66, 0xe9]) });
    const c = client();
    expect((await c.get(`${s.url}/gz`)).body).toBe('Schrödinger ∂');
    expect(s.requests[0]!.headers['accept-encoding']).toMatch(/gzip/);
    expect((await c.get(`${s.url}/latin1`)).body).toBe('café');
  });

  it('makes every request under a base URL path prefix', async () => {
    const s = await server({ prefix: '/mirror' });
    s.route('/api/daily_papers', { body: 'ok' });
    expect(s.url).toMatch(/\/mirror$/);
    const res = await client().get(joinUrl(s.url, '/api/daily_papers'));
    expect(res.body).toBe('ok');
    expect(s.requests[0]!.path).toBe('/mirror/api/daily_papers');
    // without the prefix, the server does not know the path
    const bare = s.url.replace(/\/mirror$/, '');
    expect((await failure(client().get(`${bare}/api/daily_papers`))).status).toBe(404);
  });

  it('sends HF_TOKEN to the Hugging Face origin only, also across redirects', async () => {
    const hf = await server();
    const ax = await server();
    hf.route('/api/daily_papers', { body: '[]' });
    hf.route('/to-arxiv', { status: 302, headers: { location: `${ax.url}/list` } });
    ax.route('/list', { body: 'arxiv' });
    ax.route('/to-hf', { status: 302, headers: { location: `${hf.url}/api/daily_papers` } });
    const env = { HF_TOKEN: 'hf_secret', PAPERS_HF_URL: `${hf.url}/`, PAPERS_ARXIV_URL: ax.url };
    const c = client({ env, hostRules: { arxiv: { minIntervalMs: 0 } } });
    await c.get(`${hf.url}/api/daily_papers`);
    await c.get(`${ax.url}/list`);
    expect((await c.get(`${hf.url}/to-arxiv`)).body).toBe('arxiv');
    await c.get(`${ax.url}/to-hf`);
    expect(hf.requests.map((r) => r.headers.authorization)).toEqual(['Bearer hf_secret', 'Bearer hf_secret', 'Bearer hf_secret']);
    expect(ax.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined, undefined]);
    expect(c.requests).toBe(6);
  });

  it('waits for Retry-After on 429, then succeeds', async () => {
    const s = await server();
    s.route('/api/daily_papers', [{ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }, { body: '[]' }]);
    const logs: string[] = [];
    const c = client({ log: (m) => logs.push(m) });
    const res = await c.get(`${s.url}/api/daily_papers`);
    expect(res.body).toBe('[]');
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(logs.some((l) => /retrying in 1s/.test(l))).toBe(true);
    expect(logs.some((l) => /429 Too Many Requests.*slow down/.test(l))).toBe(true);
  });

  it('gives up at once when Retry-After exceeds the retry budget, with an HF_TOKEN hint', async () => {
    const s = await server();
    s.route('/api/daily_papers', { status: 429, headers: { 'retry-after': '3600' } });
    const env = { PAPERS_HF_URL: s.url };
    const err = await failure(client({ env }).get(`${s.url}/api/daily_papers`));
    expect(err.status).toBe(429);
    expect(err.message).toBe('Hugging Face answered 429 Too Many Requests for /api/daily_papers');
    expect(err.hint).toMatch(/HF_TOKEN/);
    expect(err.hint).toMatch(/1h|3600s/);
    expect(s.requests).toHaveLength(1);
  });

  it('retries 503 twice and then succeeds', async () => {
    const s = await server();
    s.route('/api/daily_papers', [{ status: 503 }, { status: 503 }, { body: '[1]' }]);
    const c = client();
    expect((await c.get(`${s.url}/api/daily_papers`)).body).toBe('[1]');
    expect(c.requests).toBe(3);
    expect(s.requests).toHaveLength(3);
  });

  it('fails with the status after the retries when the server keeps answering 500', async () => {
    const s = await server();
    s.route('/api/daily_papers', { status: 500, body: 'boom' });
    const env = { PAPERS_HF_URL: s.url };
    const c = client({ env, retries: 2 });
    const err = await failure(c.get(joinUrl(s.url, '/api/daily_papers', { date: '2024-08-01' })));
    expect(err.status).toBe(500);
    expect(err.message).toBe('Hugging Face answered 500 Internal Server Error for /api/daily_papers?date=2024-08-01 after 3 attempts');
    expect(err.hint).toMatch(/try again later/);
    expect(err.url).toBe(`${s.url}/api/daily_papers?date=2024-08-01`);
    expect(c.requests).toBe(3);
  });

  it('does not retry 404 and other client errors', async () => {
    const s = await server();
    s.route('/api/papers/2410.17243', { status: 404, body: '{"error":"not found"}' });
    s.route('/bad', { status: 400 });
    const c = client();
    const err = await failure(c.get(`${s.url}/api/papers/2410.17243`));
    expect(err.status).toBe(404);
    expect(err.message).toBe(`127.0.0.1:${new URL(s.url).port} answered 404 Not Found for /api/papers/2410.17243`);
    expect((await failure(c.get(`${s.url}/bad`))).status).toBe(400);
    expect(s.requests).toHaveLength(2);
  });

  it('times out on a hung server, after the retries', async () => {
    const s = await server();
    s.route('/hang', { hang: true });
    const c = client({ timeoutMs: 300, retries: 1 });
    const started = Date.now();
    const err = await failure(c.get(`${s.url}/hang`));
    expect(err.message).toMatch(/timed out after 0\.3s .*after 2 attempts/);
    expect(err.cause).toBeDefined();
    expect(err.status).toBeUndefined();
    expect(s.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out on a body that stops arriving', async () => {
    // the headers arrive at once, the body never completes: the timeout covers the body too
    let socketPaused: Socket | undefined;
    const slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      socketPaused = res.socket ?? undefined;
    });
    await new Promise<void>((ok) => slow.listen(0, '127.0.0.1', ok));
    cleanups.push(() => closeServer(slow));
    const port = (slow.address() as AddressInfo).port;
    const err = await failure(client({ timeoutMs: 300, retries: 0 }).get(`http://127.0.0.1:${port}/`));
    expect(err.message).toMatch(/timed out after 0\.3s/);
    socketPaused?.destroy();
  });

  it('treats a truncated body as an error, retried like a network error', async () => {
    const s = await server();
    s.route('/cut', { truncate: true, body: '{"partial":' });
    const c = client({ retries: 1 });
    const err = await failure(c.get(`${s.url}/cut`));
    expect(err.message).toMatch(/failed for \/cut after 2 attempts/);
    expect(err.cause).toBeDefined();
    expect(s.requests).toHaveLength(2);
  });

  it('retries a reset connection', async () => {
    const s = await server();
    s.route('/flaky', [{ reset: true }, { body: 'ok' }]);
    const c = client();
    expect((await c.get(`${s.url}/flaky`)).body).toBe('ok');
    expect(c.requests).toBe(2);
  });

  it('refuses a body over maxBytes, declared or streamed', async () => {
    const s = await server();
    // /big declares its length; /bomb is small on the wire but large once decompressed
    s.route('/big', { body: 'x'.repeat(5000) });
    s.route('/bomb', { headers: { 'content-encoding': 'gzip' }, body: gzipSync('x'.repeat(100_000)) });
    const c = client({ maxBytes: 1000 });
    for (const path of ['/big', '/bomb']) {
      const err = await failure(c.get(`${s.url}${path}`));
      expect(err.message).toMatch(/response too large/);
    }
    // not retried
    expect(s.requests).toHaveLength(2);
  });

  it('ends a redirect loop with a clear error', async () => {
    const s = await server();
    s.route('/loop', { status: 302, headers: { location: '/loop' } });
    s.route('/a', { status: 301, headers: { location: '/b' } });
    s.route('/b', { status: 308, headers: { location: `${s.url}/c?x=1` } });
    s.route('/c', { body: 'landed' });
    const c = client();
    const err = await failure(c.get(`${s.url}/loop`));
    expect(err.message).toMatch(/too many redirects/);
    expect(s.requests).toHaveLength(6);
    const res = await c.get(`${s.url}/a`);
    expect(res).toMatchObject({ body: 'landed', url: `${s.url}/c?x=1` });
  });

  it('sends If-None-Match and reports 304 as notModified', async () => {
    const s = await server();
    s.route('/api/daily_papers', (req) =>
      req.headers['if-none-match'] === '"v1"' ? { status: 304, headers: { etag: '"v1"' } } : { headers: { etag: '"v1"' }, body: '[]' },
    );
    const c = client();
    const first = await c.get(`${s.url}/api/daily_papers`);
    expect(first).toMatchObject({ notModified: false, etag: '"v1"', body: '[]' });
    const second = await c.get(`${s.url}/api/daily_papers`, { etag: first.etag });
    expect(second).toMatchObject({ status: 304, notModified: true, body: '', etag: '"v1"' });
    expect(s.requests[1]!.headers['if-none-match']).toBe('"v1"');
  });

  it('fails clearly when nothing listens', async () => {
    const s = await server();
    const url = `${s.url}/x`;
    await s.close();
    const err = await failure(client({ retries: 1 }).get(url));
    expect(err.message).toMatch(/failed for \/x after 2 attempts: connection refused/);
    expect(err.url).toBe(url);
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('rejects URLs it cannot fetch', async () => {
    expect((await failure(client().get('not a url'))).message).toMatch(/invalid URL/);
    expect((await failure(client().get('ftp://127.0.0.1/x'))).message).toMatch(/unsupported URL/);
    const c = client();
    expect((await failure(c.get('http://127.0.0.1:6000/x'))).message).toMatch(/bad port/);
    expect(c.requests).toBe(1); // not retried
  });

  it('goes through HTTP_PROXY, except for NO_PROXY hosts', async () => {
    const s = await server();
    s.route('/via', { body: 'proxied' });
    const proxy = await startConnectProxy();
    cleanups.push(() => proxy.close());
    const c = client({ env: { HTTP_PROXY: proxy.url } });
    expect((await c.get(`${s.url}/via`)).body).toBe('proxied');
    expect(proxy.connects).toEqual([new URL(s.url).host]);
    const direct = client({ env: { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect((await direct.get(`${s.url}/via`)).body).toBe('proxied');
    expect(proxy.connects).toHaveLength(1);
  });
});

function closeServer(srv: Server): Promise<void> {
  return new Promise((ok) => {
    srv.closeAllConnections();
    srv.close(() => ok());
  });
}

/** A minimal CONNECT proxy that records the tunnels it opens. */
async function startConnectProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((_req, res) => {
    res.writeHead(405).end();
  });
  proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    for (const sock of [clientSocket, upstream]) {
      sockets.add(sock);
      sock.on('error', () => sock.destroy());
      sock.on('close', () => sockets.delete(sock));
    }
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    close: () =>
      new Promise((ok) => {
        for (const sock of sockets) sock.destroy();
        proxy.closeAllConnections();
        proxy.close(() => ok());
      }),
  };
}
