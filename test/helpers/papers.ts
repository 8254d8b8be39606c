/** One paper factory for tests: a full record with every field, overridden where a test cares. */
import { emptyPaper, type Paper, type ParsedPaper } from '../../src/record.js';

/** A parsed paper (what a source gives the store). */
export function parsedPaper(over: Partial<ParsedPaper> & { title?: string } = {}, source: 'hf' | 'arxiv' | 'import' = 'hf'): ParsedPaper {
  return { ...emptyPaper(over.title ?? 'A Paper', source), ...over };
}

/** A stored paper (what the store gives back), with its cache timestamps. */
export function storedPaper(over: Partial<Paper> = {}): Paper {
  return { ...emptyPaper(over.title ?? 'A Paper', 'hf'), firstSeenAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-01-02T00:00:00.000Z', ...over } as Paper;
}
