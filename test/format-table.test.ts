/**
 * The table: papers decides the column widths, cli-table3 draws them. Columns must line up in
 * a terminal whatever the script of a title or name, and fit the width asked for.
 */
import { describe, it, expect } from 'vitest';
import { Chalk } from 'chalk';
import { displayWidth, renderTable } from '../src/format/table.js';
import type { Paper } from '../src/record.js';
import { storedPaper } from './helpers/papers.js';

const paper = (id: string, title: string, authors: string[], upvotes: number | null): Paper => storedPaper({ id, title, authors, authorCount: authors.length, upvotes });

const papers = [
  paper('2401.00001', '大型语言模型的视觉推理 with diffusion transformers at scale', ['王小明', 'Ann Lee'], 5),
  paper('2401.00002', 'Plain title', ['Ann Lee'], 123),
  paper('2401.00003', 'Émile et les modèles de langue — une étude très détaillée', ['José Núñez'], null),
];

/** The column at which each line's ID (the last cell) starts, in terminal columns. */
const idColumns = (table: string) =>
  table.trimEnd().split('\n').slice(1).map((line) => displayWidth(line.slice(0, line.lastIndexOf('2401.'))));

describe('the table', () => {
  it('lines up columns by display width (wide CJK characters take two columns)', () => {
    const table = renderTable(papers, { width: 80, color: null });
    expect(new Set(idColumns(table)).size).toBe(1);
    for (const line of table.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(table).toContain('王小明 +1');
    expect(table).toMatch(/…/); // the long titles are cut to fit
  });

  it('keeps the same layout with colour on, escape codes aside', () => {
    const plain = renderTable(papers, { width: 72, color: null });
    const coloured = renderTable(papers, { width: 72, color: new Chalk({ level: 1 }) });
    expect(coloured).toMatch(/\x1b\[/);
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('lines up a long list as one table: one header, one line a paper, the same columns throughout', () => {
    // Widest cells far down the list and short ones near the top: every line must still follow them.
    const many = Array.from({ length: 30 }, (_, i) =>
      paper(`2401.${String(i + 1).padStart(5, '0')}`, i % 7 === 6 ? `Paper ${i} on 语言模型 ${'x'.repeat(i)}` : `P${i}`, i === 25 ? ['Ann Lee-Núñez Smith'] : ['Al'], i === 27 ? 12345 : i));
    const lines = renderTable(many, { width: 100, color: null }).trimEnd().split('\n');
    expect(lines).toHaveLength(31);
    expect(lines.filter((l) => /^\s*#/.test(l))).toHaveLength(1);
    expect(new Set(idColumns(lines.join('\n'))).size).toBe(1);
    expect(lines.map((l) => /^\s*(\d+)\s/.exec(l)?.[1]).slice(1)).toEqual(many.map((_, i) => String(i + 1)));
  });

  it('counts terminal columns, not UTF-16 units', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('语言')).toBe(4);
    expect(displayWidth('é')).toBe(1);
    expect(displayWidth('e\u0301')).toBe(1);
  });
});
