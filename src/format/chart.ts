/** Horizontal bar charts for the terminal: pure, fitted to a width, plain characters. */
import { terminalSafe } from '../text.js';

export interface Series {
  label: string;
  points: { period: string; count: number }[];
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `value / max` of `width` cells, in eighths of a cell. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0 || width <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** One block per series: a line per period with its bar and count, every line at most `width`. */
export function renderBars(series: Series[], width: number): string {
  const max = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.count)));
  const periodW = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.period.length)));
  const countW = String(max).length;
  const barW = Math.max(1, width - periodW - countW - 3);
  const out: string[] = [];
  for (const s of series) {
    const total = s.points.reduce((a, p) => a + p.count, 0);
    out.push(terminalSafe(`${s.label} · ${total} paper${total === 1 ? '' : 's'}`).slice(0, width));
    for (const p of s.points) out.push(`${p.period.padEnd(periodW)} ${String(p.count).padStart(countW)} ${bar(p.count, max, barW)}`.trimEnd());
    out.push('');
  }
  return out.join('\n');
}
