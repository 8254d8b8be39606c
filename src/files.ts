/** Writing files so that a reader never sees half of one: the one way papers writes a file whole. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PapersError } from './errors.js';

/** A temporary name beside `path` (same directory, so the rename is atomic). */
export function tempBeside(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/**
 * Write `text` to `path` atomically: a temporary file in the same directory, synced, renamed
 * over the old one. `what` names the file in the error ("the config file"). Readable by its
 * owner only (a directory it creates too): the config may name what a person follows.
 */
export function writeTextAtomically(path: string, text: string, what = 'the file'): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = tempBeside(path);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new PapersError(`cannot write ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}
