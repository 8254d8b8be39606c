/**
 * A short digest of an input as the store receives it: 48 bits, as hex. It is only ever
 * compared with the digest of an earlier input of the same paper and kind of source
 * (ingest.ts), so it needs to tell a changed input from the same one, not to resist anyone
 * crafting a collision. Apart, so that the import's reading thread can make it
 * (import-worker.ts) and the storing thread, the bound of a large import, need not.
 *
 * The record is walked as it is, field by field in its own order, through two 32-bit
 * multiply-and-xor lanes: JSON.stringify and SHA-1 of the same record took about 30 µs a
 * paper, most of what a paper seen again costs the reading thread.
 */
import type { ParsedPaper } from '../record.js';

/** A type tag or separator between values, outside the UTF-16 code units a string holds. */
const TAG = { string: 0x10001, number: 0x10002, true: 0x10003, false: 0x10004, null: 0x10005, array: 0x10006, object: 0x10007, end: 0x10008 } as const;

class Lanes {
  a = 0x9e3779b9;
  b = 0x85ebca6b;

  // A rotation before each multiply feeds the high bits back into the low ones, which a
  // multiply alone never reaches.
  mix(unit: number): void {
    const a = this.a ^ unit;
    const b = this.b ^ unit;
    this.a = Math.imul((a << 15) | (a >>> 17), 0xcc9e2d51);
    this.b = Math.imul((b << 13) | (b >>> 19), 0x1b873593);
  }

  text(s: string): void {
    // mix() over locals: the loop is most of the cost.
    let { a, b } = this;
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      a ^= u;
      b ^= u;
      a = Math.imul((a << 15) | (a >>> 17), 0xcc9e2d51);
      b = Math.imul((b << 13) | (b >>> 19), 0x1b873593);
    }
    this.a = a;
    this.b = b;
    this.mix(TAG.end);
  }

  value(v: unknown): void {
    if (typeof v === 'string') {
      this.mix(TAG.string);
      this.text(v);
    } else if (typeof v === 'number') {
      this.mix(TAG.number);
      this.text(String(v));
    } else if (typeof v === 'boolean') this.mix(v ? TAG.true : TAG.false);
    else if (v === null) this.mix(TAG.null);
    else if (Array.isArray(v)) {
      this.mix(TAG.array);
      for (const item of v) this.value(item);
      this.mix(TAG.end);
    } else if (typeof v === 'object') {
      this.mix(TAG.object);
      for (const key in v) {
        const field = (v as Record<string, unknown>)[key];
        // As JSON has it: a field set to undefined is no field.
        if (field === undefined) continue;
        this.text(key);
        this.value(field);
      }
      this.mix(TAG.end);
    }
  }

  /** 24 well-mixed bits of each lane, as 12 hex digits. */
  digest(): string {
    const fin = (h: number, k: number) => {
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), k);
      return (h ^ (h >>> 16)) >>> 8;
    };
    const a = fin(this.a ^ Math.imul(this.b, 0x27d4eb2f), 0xc2b2ae35);
    const b = fin(this.b ^ Math.imul(a, 0x165667b1), 0xc2b2ae35);
    return a.toString(16).padStart(6, '0') + b.toString(16).padStart(6, '0');
  }
}

export function inputDigest(p: ParsedPaper): string {
  const lanes = new Lanes();
  lanes.value(p);
  return lanes.digest();
}
