/**
 * A real HTTP server on 127.0.0.1 for the tests: canned answers per path, recorded requests,
 * and the misbehaviours the HTTP client must survive (delays, hangs, truncated bodies, resets).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the socket stays open until close()). */
  hang?: boolean;
  /** Send a Content-Length larger than the body, then destroy the socket. */
  truncate?: boolean;
  /** Destroy the socket without answering. */
  reset?: boolean;
}

export interface ServerRequest {
  method: string;
  /** The path without the server's prefix and without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type Handler = (req: ServerRequest) => Route | Promise<Route>;

export interface RecordedRequest {
  method: string;
  /** The path as received (prefix included), without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` plus the prefix, if any; no trailing slash. */
  url: string;
  requests: RecordedRequest[];
  /** Answer requests to `pathWithoutQuery` (without the prefix). An array gives successive answers; the last repeats. */
  route(pathWithoutQuery: string, handler: Handler | Route | Route[]): void;
  /** Answer requests that match no route (default: 404). */
  fallback(handler: Handler): void;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The absolute path of `fixtures/<name>`. */
export function fixturePath(name: string): string {
  return join(ROOT, 'fixtures', name);
}

/** The text of `fixtures/<name>` (relative to the repository root). */
export function fixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export async function startServer(opts: { prefix?: string } = {}): Promise<TestServer> {
  const prefix = opts.prefix ? `/${opts.prefix.replace(/^\/+|\/+$/g, '')}` : '';
  const routes = new Map<string, { answer: Handler | Route | Route[]; next: number }>();
  let fallbackHandler: Handler | undefined;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const resolve = async (req: ServerRequest): Promise<Route> => {
    const entry = routes.get(req.path);
    if (!entry) return fallbackHandler ? fallbackHandler(req) : { status: 404, body: 'not found' };
    const { answer } = entry;
    if (typeof answer === 'function') return answer(req);
    if (Array.isArray(answer)) {
      const i = Math.min(entry.next++, answer.length - 1);
      return answer[i] ?? { status: 500, body: 'empty route array' };
    }
    return answer;
  };

  const delay = (ms: number) =>
    new Promise<void>((done) => {
      const t = setTimeout(() => {
        timers.delete(t);
        done();
      }, ms);
      timers.add(t);
    });

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    requests.push({ method, path: u.pathname, query: u.searchParams, headers: req.headers, at: Date.now() });

    void (async () => {
      let route: Route;
      if (prefix && !(u.pathname === prefix || u.pathname.startsWith(`${prefix}/`))) {
        route = { status: 404, body: 'not found (outside prefix)' };
      } else {
        const path = prefix ? u.pathname.slice(prefix.length) || '/' : u.pathname;
        try {
          route = await resolve({ method, path, query: u.searchParams, headers: req.headers });
        } catch (err) {
          route = { status: 500, body: `handler failed: ${String(err)}` };
        }
      }
      if (route.delayMs) await delay(route.delayMs);
      if (res.destroyed || req.socket.destroyed) return;
      if (route.hang) return;
      if (route.reset) {
        req.socket.destroy();
        return;
      }
      const body = route.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(route.body) ? route.body : Buffer.from(route.body);
      const headers: Record<string, string> = { ...(route.headers ?? {}) };
      if (route.truncate) {
        res.writeHead(route.status ?? 200, { ...headers, 'content-length': String(body.length + 1000) });
        res.write(body, () => req.socket.destroy());
        return;
      }
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
        headers['content-length'] = String(body.length);
      }
      res.writeHead(route.status ?? 200, headers);
      res.end(body);
    })();
  });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    route(path, answer) {
      routes.set(path, { answer, next: 0 });
    },
    fallback(handler) {
      fallbackHandler = handler;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}
