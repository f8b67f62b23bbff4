import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TartCli, tartEnvironment, tartSearchPath } from './tart-cli.js';

describe("the environment of Tart's children", () => {
  it('has Homebrew on PATH even when the app got the bare GUI PATH', () => {
    expect(tartSearchPath('/usr/bin:/bin:/usr/sbin:/sbin')).toBe('/usr/bin:/bin:/usr/sbin:/sbin:/opt/homebrew/bin:/usr/local/bin');
    expect(tartSearchPath(undefined)).toBe('/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin');
  });

  it('is explicit: plain progress, a fixed TART_HOME only when set, no stray variables', () => {
    const inherited = { HOME: '/Users/a', USER: 'a', TART_HOME: '/elsewhere', SECRET_TOKEN: 'x', PATH: '/usr/bin' };
    expect(tartEnvironment({ basePath: '/usr/bin', tartHome: null, inherited })).toEqual({
      HOME: '/Users/a',
      USER: 'a',
      PATH: '/usr/bin:/opt/homebrew/bin:/usr/local/bin:/bin:/usr/sbin:/sbin',
      CI: '1',
      TART_NO_AUTO_PRUNE: '1',
    });
    expect(tartEnvironment({ basePath: '/usr/bin', tartHome: '/Volumes/VMs/tart', inherited }, false)).toMatchObject({ TART_HOME: '/Volumes/VMs/tart' });
    expect(tartEnvironment({ basePath: '/usr/bin', tartHome: null, inherited }, false)).not.toHaveProperty('TART_NO_AUTO_PRUNE');
  });
});

describe('TartCli.run', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tart-cli-'));
  const script = join(folder, 'tart');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'case "$1" in',
      '  hang) exec sleep 30 ;;',
      '  talk) echo "pulling manifest..."; echo "37%"; echo "oops" >&2; exit 3 ;;',
      'esac',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  const cli = new TartCli(() => ({ basePath: folder, tartHome: null, inherited: process.env }));

  it('passes exit codes and output through, streaming lines as they come', async () => {
    const seen: string[] = [];
    const result = await cli.run(['talk'], { onLine: (line, stream) => seen.push(`${stream}:${line}`) });
    expect(result).toMatchObject({ exitCode: 3, stdout: 'pulling manifest...\n37%\n', stderr: 'oops\n' });
    expect(seen).toEqual(['stdout:pulling manifest...', 'stdout:37%', 'stderr:oops']);
  });

  it('kills a hung command at the deadline with a TIMEOUT that names it', async () => {
    await expect(cli.run(['hang'], { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('Tart did not finish `tart hang`'),
    });
  });

  it('stops the command when the operation is cancelled', async () => {
    const controller = new AbortController();
    const running = cli.run(['hang'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
