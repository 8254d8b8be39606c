/** Bar charts and sparklines for the terminal: pure, fitted to a width, no colour needed. */
import { terminalSafe } from '../text.js';
import { displayWidth, pad, truncate } from './width.js';

export interface Point {
  /** The period's label: its first day (2024-08-05), or a month (2024-08). */
  period: string;
  count: number;
  /** The period is not over (or not all inside the range asked for). */
  partial: boolean;
}

export interface Series {
  label: string;
  points: Point[];
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** 1,234 */
export function formatCount(n: number): string {
  // Grouped by hand: the first toLocaleString of a process loads the locale data (~70 ms, most
  // of `papers stats` with its counts kept).
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A bar of `value / max` of `width` cells, in eighths of a cell; any value above 0 shows. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0 || width <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** One character per value, ▁ to █ scaled to the largest; a zero is a dot, so it is not read as small. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max <= 0 ? '·' : LEVELS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

/** Cut to `width` terminal columns, with an ellipsis when cut. */
export function fit(s: string, width: number): string {
  return truncate(s, width);
}

/**
 * Rows of `label  count  bar`, every line at most `width` characters: labels and counts
 * aligned, the bars sharing one scale (the largest count fills the width left). A row with
 * `bar: false` (a total, say) shows its count only. Bars are at most `maxBar` cells.
 */
export function barRows(rows: { label: string; count: number; bar?: boolean }[], width: number, indent = '', maxBar = Infinity): string[] {
  const labelW = Math.max(0, ...rows.map((r) => displayWidth(r.label)));
  const countW = Math.max(1, ...rows.map((r) => formatCount(r.count).length));
  const max = Math.max(0, ...rows.filter((r) => r.bar !== false).map((r) => r.count));
  const barW = Math.max(0, Math.min(maxBar, width - displayWidth(indent) - labelW - countW - 3));
  return rows.map((r) => {
    const line = `${indent}${pad(r.label, labelW)}  ${formatCount(r.count).padStart(countW)} ${r.bar === false ? '' : bar(r.count, max, barW)}`;
    return fit(line.trimEnd(), width);
  });
}

/**
 * A block per series: a heading (label, total, and a sparkline when there is room), then a
 * line per period with its count and bar. The bars of all series share one scale, so they
 * compare; a period the range covers only in part is marked `*`, explained once at the end.
 */
export function renderBars(series: Series[], width: number, opts: { per?: string; partialNotes?: string[] } = {}): string {
  const per = opts.per ?? 'period';
  const max = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.count)));
  const anyPartial = series.some((s) => s.points.some((p) => p.partial));
  const labelW = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.period.length))) + (anyPartial ? 1 : 0);
  const countW = Math.max(1, formatCount(max).length);
  // Too narrow for bars: the numbers alone.
  const barW = Math.max(0, width - labelW - countW - 3);
  const out: string[] = [];
  for (const s of series) {
    const total = s.points.reduce((a, p) => a + p.count, 0);
    const heading = `${terminalSafe(s.label)} · ${formatCount(total)} paper${total === 1 ? '' : 's'}`;
    const spark = sparkline(s.points.map((p) => p.count));
    const room = width - displayWidth(heading) - 2;
    out.push(s.points.length > 1 && room >= displayWidth(spark) ? `${heading}  ${spark}` : fit(heading, width));
    for (const p of s.points) {
      const label = (p.period + (p.partial ? '*' : '')).padEnd(labelW);
      out.push(fit(`${label} ${formatCount(p.count).padStart(countW)} ${bar(p.count, max, barW)}`.trimEnd(), width));
    }
    out.push('');
  }
  if (anyPartial) out.push(...(opts.partialNotes?.length ? opts.partialNotes : [`not a whole ${per}`]).map((n) => fit(`* ${n}`, width)), '');
  return out.join('\n');
}
