/**
 * How many terminal columns text takes, and fitting text to a width: one measure for the
 * table, `show` and the charts. It is string-width's, the measure cli-table3 lays tables out
 * with, so a cell we fit is a cell the table draws at that width ('🚀 Rocket' is 9 columns).
 */
import stringWidth from 'string-width';

/**
 * Text string-width would measure as one column a character: printable ASCII and Latin-1, and
 * the table's own marks (… ▲ ●). It is measured by its length: string-width rebuilds its emoji
 * pattern on every call (about half a millisecond), and a table measures every cell several
 * times. The bundle hands cli-table3 this measure too (scripts/bundle.js).
 */
const PLAIN = /^[\x20-\x7e\u00a0-\u00ff\u2026\u25b2\u25cf]*$/;

/** Columns a string takes on a terminal (escape codes take none). */
export function displayWidth(s: string): number {
  return PLAIN.test(s) ? s.length : stringWidth(s);
}

/** At most `width` columns, ending in … when cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  // Whole grapheme-ish units: a code point with the marks and joiners that follow it.
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** `s` padded with spaces to `width` columns (on the left when `right`). */
export function pad(s: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/**
 * Words of `text` in lines of at most `width` columns, each line after `indent`; a word longer
 * than a line stands alone. `width` Infinity: one line.
 */
export function wrap(text: string, width: number, indent = '  '): string {
  const lines: string[] = [];
  const room = width - displayWidth(indent);
  let line = '';
  let lineW = 0;
  for (const word of text.split(' ')) {
    const w = displayWidth(word);
    if (line && lineW + 1 + w > room) {
      lines.push(indent + line);
      line = word;
      lineW = w;
    } else {
      line = line ? `${line} ${word}` : word;
      lineW = line === word ? w : lineW + 1 + w;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}
