/**
 * `papers open`: which URL a paper opens at, and which program opens it. The user's $BROWSER
 * comes first, then the platform's opener, each found on PATH; the program is started
 * detached and never waited for. Off a TTY, or with no opener, the caller prints the URL.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { safeHttpUrl } from './format/html.js';
import { arxivAbsUrl, arxivPdfUrl, hfPaperUrl } from './ids.js';
import type { Paper } from './record.js';

export type OpenTarget = 'default' | 'hf' | 'arxiv' | 'pdf' | 'code';

/**
 * The URL a paper opens at, or null when the paper has none for that target (no code link, or
 * no id to build an arXiv or HF URL from). Only http(s) URLs are ever returned. `default` is the
 * HF page, else the arXiv abstract, else the project page.
 */
export function paperUrl(p: Paper, target: OpenTarget = 'default'): string | null {
  const id = p.id;
  const hf = safeHttpUrl(p.url) ?? (id ? hfPaperUrl(id) : null);
  const arxiv = safeHttpUrl(p.arxivUrl) ?? (id ? arxivAbsUrl(id) : null);
  switch (target) {
    case 'hf':
      return hf;
    case 'arxiv':
      return arxiv;
    case 'pdf':
      return safeHttpUrl(p.pdfUrl) ?? (id ? arxivPdfUrl(id) : null);
    case 'code':
      return safeHttpUrl(p.githubRepo);
    case 'default':
      return hf ?? arxiv ?? safeHttpUrl(p.projectPage);
  }
}

/** A program to open URLs with: `command`, then `args`, where `%s` stands for the URL (appended when absent). */
export interface Opener {
  command: string;
  args: string[];
  /** Where it came from, for --verbose: "$BROWSER" or "platform". */
  origin: '$BROWSER' | 'platform';
}

function isExecutableFile(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The full path of `command` as the shell would find it on PATH (with PATHEXT on Windows); null when absent. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  if (command === '') return null;
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return isAbsolute(command) && isExecutableFile(command, platform) ? command : null;
  }
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of (env.PATH ?? env.Path ?? '').split(sep)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const full = join(dir, command + ext);
      if (isExecutableFile(full, platform)) return full;
    }
  }
  return null;
}

/**
 * The opener to use: the first entry of $BROWSER (a colon-separated list, each entry a command
 * and its arguments split at spaces, `%s` for the URL) that is on PATH; else `xdg-open`
 * (Linux and the BSDs), `open` (macOS) or, on Windows, the shell's URL handler (what `start`
 * calls, without cmd.exe's expansion of `%` and `&` in URLs). Null when none exists.
 */
export function findOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Opener | null {
  const browser = env.BROWSER?.trim();
  if (browser) {
    for (const entry of browser.split(platform === 'win32' ? ';' : ':')) {
      const [command, ...args] = entry.trim().split(/\s+/);
      if (!command) continue;
      const found = findOnPath(command, env, platform);
      if (found) return { command: found, args, origin: '$BROWSER' };
    }
  }
  if (platform === 'win32') {
    const rundll = findOnPath('rundll32', env, platform);
    return rundll ? { command: rundll, args: ['url.dll,FileProtocolHandler'], origin: 'platform' } : null;
  }
  const found = findOnPath(platform === 'darwin' ? 'open' : 'xdg-open', env, platform);
  return found ? { command: found, args: [], origin: 'platform' } : null;
}

/** The arguments the opener gets for `url`. */
export function openerArgs(opener: Opener, url: string): string[] {
  return opener.args.some((a) => a.includes('%s')) ? opener.args.map((a) => a.replaceAll('%s', url)) : [...opener.args, url];
}

export type OpenPlan = { action: 'print'; url: string; reason: 'not a TTY' | 'no opener' } | { action: 'spawn'; url: string; opener: Opener };

/** What `papers open` does with a URL: print it (off a TTY, or with no opener) or start the opener. */
export function planOpen(url: string, opts: { isTTY: boolean; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): OpenPlan {
  if (!opts.isTTY) return { action: 'print', url, reason: 'not a TTY' };
  const opener = findOpener(opts.env ?? process.env, opts.platform ?? process.platform);
  return opener ? { action: 'spawn', url, opener } : { action: 'print', url, reason: 'no opener' };
}

/**
 * Start the opener detached, without waiting for it to exit: resolves once it has started,
 * rejects when it could not be started (the caller then prints the URL).
 */
export function spawnOpener(opener: Opener, url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(opener.command, openerArgs(opener, url), { detached: true, stdio: 'ignore', env, windowsHide: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
