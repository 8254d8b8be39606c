/**
 * One sync at a time: a lock file beside the cache (`papers.db.sync-lock`) naming its holder,
 * taken inside a write transaction of the cache so that two processes never both take it, and
 * taken over when its process is gone.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import type { Store } from './store/index.js';
import { StoreError } from './errors.js';

/** Who holds the sync lock. */
export interface LockHolder {
  pid: number;
  host: string;
  acquiredAt: string;
}

/** The lock file beside the cache: `papers.db.sync-lock`, holding the holder as JSON. */
export function syncLockPath(store: Store): string {
  return `${store.path}.sync-lock`;
}

export function me(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}

function readHolder(path: string): LockHolder | 'unreadable' | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.acquiredAt === 'string') return h as LockHolder;
  } catch {
    // a file cut short by a crash
  }
  return 'unreadable';
}

/**
 * A lock whose process is gone: on this host, no such process, or taken before the machine
 * booted (a pid from before a reboot may now belong to someone else); elsewhere, older than a day.
 */
export function isStaleLock(holder: LockHolder, now = Date.now()): boolean {
  const taken = Date.parse(holder.acquiredAt);
  if (!Number.isFinite(taken)) return true;
  if (holder.host !== hostname()) return now - taken > 86_400_000;
  if (taken < now - uptime() * 1000) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Take the sync lock once: null when taken, else the live holder. The check and the takeover
 * of a stale lock happen inside a write transaction of the cache (BEGIN IMMEDIATE), so two
 * processes never both see the same stale lock and both take it.
 */
export function tryLock(store: Store, isStale: (h: LockHolder) => boolean = (h) => isStaleLock(h)): LockHolder | null {
  const path = syncLockPath(store);
  const self = me();
  return store.transaction(() => {
    const holder = readHolder(path);
    if (holder !== null && holder !== 'unreadable' && !(holder.pid === self.pid && holder.host === self.host) && !isStale(holder)) return holder;
    if (holder !== null) rmSync(path, { force: true });
    try {
      writeFileSync(path, JSON.stringify({ ...self, acquiredAt: new Date().toISOString() }) + '\n', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      // A full disk or a read-only directory stops the sync before it starts: say which, in
      // one line, instead of the bare system error.
      const code = (err as NodeJS.ErrnoException).code;
      const why: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'permission denied' };
      if (code === undefined || !(code in why)) throw err;
      rmSync(path, { force: true });
      throw new StoreError(`cannot write the sync lock ${path}: ${why[code]}`, { hint: 'free some space or make the cache directory writable, then sync again', cause: err });
    }
    return null;
  });
}

/**
 * Take the sync lock, waiting up to `waitMs` for a running sync to finish. Returns null when
 * taken, or the holder that still has it. Log entries of runs that died are closed.
 */
export async function acquireSyncLock(store: Store, opts: { waitMs: number; pollMs?: number; log?: (m: string) => void }): Promise<LockHolder | null> {
  const deadline = Date.now() + opts.waitMs;
  let said = false;
  for (;;) {
    const holder = tryLock(store);
    if (holder === null) {
      const ended = store.syncs.endAbandoned();
      if (ended > 0) opts.log?.(`${ended} earlier sync${ended === 1 ? '' : 's'} had stopped before finishing; this run completes the gap`);
      return null;
    }
    if (Date.now() >= deadline) return holder;
    if (!said) opts.log?.(`another papers sync (pid ${holder.pid}) is running; waiting up to ${Math.round(opts.waitMs / 1000)}s`);
    said = true;
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 250, Math.max(1, deadline - Date.now()))));
  }
}

/** Give the lock back, if it is ours. */
export function releaseSyncLock(store: Store): void {
  const path = syncLockPath(store);
  const holder = readHolder(path);
  const self = me();
  if (holder !== null && holder !== 'unreadable' && holder.pid === self.pid && holder.host === self.host) rmSync(path, { force: true });
}
