/** `papers open`: the URL per target, the opener search, and a real stub opener started detached. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath, findOpener, openerArgs, paperUrl, planOpen, spawnOpener } from '../src/open.js';
import { emptyPaper, type Paper } from '../src/record.js';
import { parseDailyPapersApi } from '../src/sources/hf/parse.js';
import { fixture } from './helpers/server.js';

const stamp = { firstSeenAt: '2026-12-01T08:00:00.000Z', lastSeenAt: '2026-12-01T08:00:00.000Z' };
const withCode: Paper = { ...parseDailyPapersApi(fixture('hf/api-daily-papers-2026-03-06.one-item.json')).papers[0]!, ...stamp };
const plain: Paper = { ...parseDailyPapersApi(fixture('hf/api-daily-papers-2024-08-01.derived.json')).papers[0]!, ...stamp };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'papers-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An executable script in `sub` that writes its arguments, one a line, to `out`. */
function stub(sub: string, name: string, out: string): string {
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(dir, sub, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`);
  chmodSync(path, 0o755);
  return path;
}

async function waitForFile(path: string): Promise<string> {
  // The opener is not waited for, so the test waits for what it writes (vitest's timeout bounds this).
  while (!existsSync(path)) await new Promise((r) => setTimeout(r, 20));
  return readFileSync(path, 'utf8');
}

describe('paperUrl', () => {
  it('builds each target from the record, falling back to the id', () => {
    const id = withCode.id!;
    expect(withCode.githubRepo).toMatch(/^https:\/\/github\.com\//);
    expect(paperUrl(withCode)).toBe(`https://huggingface.co/papers/${id}`);
    expect(paperUrl(withCode, 'hf')).toBe(`https://huggingface.co/papers/${id}`);
    expect(paperUrl(withCode, 'arxiv')).toBe(`https://arxiv.org/abs/${id}`);
    expect(paperUrl(withCode, 'pdf')).toBe(`https://arxiv.org/pdf/${id}`);
    expect(paperUrl(withCode, 'code')).toBe(withCode.githubRepo);
    expect(paperUrl(plain, 'code')).toBeNull();
    const bare: Paper = { ...emptyPaper('x', 'arxiv'), ...stamp, id: 'hep-th/9901001' };
    expect([paperUrl(bare), paperUrl(bare, 'arxiv'), paperUrl(bare, 'pdf')]).toEqual([
      'https://huggingface.co/papers/hep-th/9901001', 'https://arxiv.org/abs/hep-th/9901001', 'https://arxiv.org/pdf/hep-th/9901001',
    ]);
  });

  it('never returns a non-http(s) URL', () => {
    const hostile: Paper = { ...emptyPaper('x', 'hf'), ...stamp, url: 'javascript:alert(1)', githubRepo: 'file:///etc/passwd', projectPage: 'data:text/html,x' };
    expect(['default', 'hf', 'arxiv', 'pdf', 'code'].map((t) => paperUrl(hostile, t as never))).toEqual([null, null, null, null, null]);
    expect(paperUrl({ ...hostile, projectPage: 'https://example.org/p' })).toBe('https://example.org/p');
  });
});

describe('finding an opener', () => {
  it('prefers $BROWSER (first entry found on PATH), with %s for the URL', () => {
    const out = join(dir, 'argv');
    const s = stub('bin', 'mybrowser', out);
    const env = { PATH: join(dir, 'bin') };
    expect(findOpener({ ...env, BROWSER: 'mybrowser' }, 'linux')).toEqual({ command: s, args: [], origin: '$BROWSER' });
    expect(findOpener({ ...env, BROWSER: 'no-such-browser:mybrowser --new-tab %s' }, 'linux')).toEqual({ command: s, args: ['--new-tab', '%s'], origin: '$BROWSER' });
    expect(findOpener({ ...env, BROWSER: s }, 'linux')?.command).toBe(s);
    expect(openerArgs({ command: s, args: ['--new-tab', '%s'], origin: '$BROWSER' }, 'https://x.org/')).toEqual(['--new-tab', 'https://x.org/']);
    expect(openerArgs({ command: s, args: ['-a'], origin: '$BROWSER' }, 'https://x.org/')).toEqual(['-a', 'https://x.org/']);
  });

  it('falls back to the platform opener on PATH, and to none', () => {
    const xdg = stub('linux', 'xdg-open', join(dir, 'o'));
    const open = stub('mac', 'open', join(dir, 'o'));
    expect(findOpener({ PATH: join(dir, 'linux') }, 'linux')).toEqual({ command: xdg, args: [], origin: 'platform' });
    expect(findOpener({ PATH: join(dir, 'linux'), BROWSER: 'no-such-browser' }, 'freebsd')?.command).toBe(xdg);
    expect(findOpener({ PATH: join(dir, 'mac') }, 'darwin')).toEqual({ command: open, args: [], origin: 'platform' });
    expect(findOpener({ PATH: join(dir, 'mac') }, 'linux')).toBeNull();
    expect(findOpener({ PATH: '' }, 'linux')).toBeNull();
    expect(findOpener({}, 'darwin')).toBeNull();
  });

  it('finds only executable files', () => {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'xdg-open'), '#!/bin/sh\n');
    expect(findOnPath('xdg-open', { PATH: join(dir, 'bin') }, 'linux')).toBeNull();
    mkdirSync(join(dir, 'bin', 'dir-not-file'));
    expect(findOnPath('dir-not-file', { PATH: join(dir, 'bin') }, 'linux')).toBeNull();
    expect(findOnPath('sh', { PATH: '/usr/bin:/bin' }, 'linux')).toMatch(/\/sh$/);
  });

  it('prints the URL off a TTY or with no opener', () => {
    stub('bin', 'xdg-open', join(dir, 'o'));
    const env = { PATH: join(dir, 'bin') };
    expect(planOpen('https://x.org/', { isTTY: false, env, platform: 'linux' })).toEqual({ action: 'print', url: 'https://x.org/', reason: 'not a TTY' });
    expect(planOpen('https://x.org/', { isTTY: true, env: { PATH: '' }, platform: 'linux' })).toEqual({ action: 'print', url: 'https://x.org/', reason: 'no opener' });
    expect(planOpen('https://x.org/', { isTTY: true, env, platform: 'linux' })).toMatchObject({ action: 'spawn', opener: { command: join(dir, 'bin', 'xdg-open') } });
  });
});

describe('starting the opener', () => {
  it('runs $BROWSER with the URL as one argument, no shell in between', async () => {
    const out = join(dir, 'argv');
    stub('bin', 'stub-browser', out);
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, BROWSER: 'stub-browser' };
    const url = paperUrl({ ...withCode, githubRepo: 'https://github.com/o/r?q=$(touch pwned)&x=`id`;y' }, 'code')!;
    const plan = planOpen(url, { isTTY: true, env, platform: 'linux' });
    expect(plan.action).toBe('spawn');
    if (plan.action !== 'spawn') return;
    await spawnOpener(plan.opener, plan.url, env);
    expect(await waitForFile(out)).toBe(`${url}\n`);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
  });

  it('rejects when the opener cannot start, so the caller can print the URL', async () => {
    await expect(spawnOpener({ command: join(dir, 'gone'), args: [], origin: '$BROWSER' }, 'https://x.org/')).rejects.toThrow(/ENOENT/);
  });
});
