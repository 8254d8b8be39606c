import { describe, it, expect } from 'vitest';
import { differs, mergePaper, mergeStamped, emptyProvenance } from '../src/store/merge.js';
import { emptyPaper, type Paper, type ParsedPaper } from '../src/record.js';

const T0 = '2024-08-01T08:00:00.000Z';
const T1 = '2024-08-02T08:00:00.000Z';

function stored(over: Partial<Paper>): Paper {
  return { ...emptyPaper('The Llama 3 Herd of Models', 'hf'), firstSeenAt: T0, lastSeenAt: T0, journalRef: null, arxivComment: null, doi: null, ...over } as Paper;
}
function listing(over: Partial<ParsedPaper>, source: 'hf' | 'arxiv' | 'import' = 'arxiv'): ParsedPaper {
  return { ...emptyPaper('The Llama 3 Herd of Models', source), ...over };
}

describe('mergePaper (no SQLite)', () => {
  it('a field the listing lacks never erases a known one', () => {
    const old = stored({ id: '2407.21783', summary: 'Modern AI systems…', upvotes: 94, keywords: ['llm'] });
    const merged = mergePaper(old, listing({ id: '2407.21783' }), T1);
    expect(merged).toMatchObject({ summary: 'Modern AI systems…', upvotes: 94, keywords: ['llm'], lastSeenAt: T1, firstSeenAt: T0 });
  });

  it('sources accumulate in a fixed order and the author list never shrinks', () => {
    const old = stored({ authors: ['A', 'B', 'C'], sources: ['arxiv'] });
    const merged = mergePaper(old, listing({ authors: ['A'] }, 'hf'), T1);
    expect(merged.sources).toEqual(['hf', 'arxiv']);
    expect(merged.authors).toEqual(['A', 'B', 'C']);
    expect(merged.authorCount).toBe(3);
  });

  it('folding a title-only record keeps the earlier first sighting', () => {
    const withId = stored({ id: '2407.21783', firstSeenAt: T1, lastSeenAt: T1 });
    const titleOnly = stored({ upvotes: 5, firstSeenAt: T0 });
    const folded = mergeStamped({ paper: withId, prov: emptyProvenance() }, { paper: titleOnly, prov: emptyProvenance() }).paper;
    expect(folded).toMatchObject({ id: '2407.21783', upvotes: 5, firstSeenAt: T0 });
  });

  it('differs ignores lastSeenAt, compares lists by value and treats missing as null', () => {
    const a = stored({ keywords: ['x'] });
    expect(differs(a, { ...a, keywords: ['x'], lastSeenAt: T1 })).toBe(false);
    expect(differs(a, { ...a, keywords: ['y'] })).toBe(true);
    const { doi: _doi, ...noDoi } = a;
    expect(differs(a, noDoi as Paper)).toBe(false);
  });
});
