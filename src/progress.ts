/**
 * A live status line on stderr for work of many requests: drawn only when stderr is a
 * terminal (never in pipes, logs or cron mail), redrawn at most ten times a second, erased
 * when the work ends so that the summary line stands alone.
 */
export interface StatusLine {
  update(text: string): void;
  /** Erase the line (call before printing anything else on stderr). */
  clear(): void;
}

const SILENT: StatusLine = { update: () => undefined, clear: () => undefined };

export function statusLine(stream: NodeJS.WriteStream = process.stderr, opts: { enabled?: boolean } = {}): StatusLine {
  if (!stream.isTTY || opts.enabled === false || process.env.TERM === 'dumb') return SILENT;
  let shown = false;
  let last = 0;
  let pending: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  const draw = (text: string) => {
    const width = Math.max(10, (stream.columns || 80) - 1);
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    stream.write(`\r\x1b[K${line}`);
    shown = true;
    last = Date.now();
  };
  return {
    update(text) {
      const wait = 100 - (Date.now() - last);
      if (wait <= 0) {
        draw(text);
        return;
      }
      pending = text;
      timer ??= setTimeout(() => {
        timer = null;
        if (pending !== null) draw(pending);
        pending = null;
      }, wait);
      timer.unref();
    },
    clear() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** "hf 2024-08: ███████░░░░░ 7/12 requests · week 2024-W32" */
export function progressText(source: string, done: number, planned: number, label: string): string {
  const total = Math.max(planned, done, 1);
  const width = 20;
  const filled = Math.round((done / total) * width);
  return `${source} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} request${total === 1 ? '' : 's'} · ${label}`;
}
