/**
 * Reading an answer's body: within the size cap, in the charset it declares, or only a snippet
 * of it for --verbose, or not at all.
 */
import type { Response } from 'undici';
import { formatBytes } from '../format/words.js';
import { HttpError, pathOf } from './errors.js';

/** An answer, its body read: what HttpClient.get returns. */
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

/** The body as text, enforcing the size cap on the bytes received; `site` names the host in errors. */
export async function readBody(res: Response, url: URL, controller: AbortController, maxBytes: number, site: string): Promise<string> {
  const tooLarge = () =>
    new HttpError(
      `response too large from ${site} for ${pathOf(url)} (more than ${formatBytes(maxBytes)})`,
      url.href,
      { status: res.status, hint: 'the answer exceeds the size limit; narrow the request' },
    );
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    controller.abort(new Error('response too large'));
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        controller.abort(new Error('response too large'));
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  }
  return decoder(res.headers.get('content-type')).decode(Buffer.concat(chunks, total));
}

/** The answer as the client hands it out. */
export function responseOf(url: URL, res: Response, body: string, notModified: boolean): HttpResponse {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { url: url.href, status: res.status, headers, body, etag: res.headers.get('etag'), notModified };
}

export async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // nothing to do: the connection is dropped.
  }
}

/** The first few hundred characters of an error body, for --verbose. */
export async function readSnippet(res: Response, limit = 300): Promise<string> {
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
