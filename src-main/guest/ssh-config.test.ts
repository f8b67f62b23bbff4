import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySshConfigInclude, isSshConfigIncluded, SshConfigFile, sshInfoFor } from './ssh-config.js';

function hasSshClient(): boolean {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Tidepool’s SSH config', () => {
  let root: string;
  let dataDir: string;
  let userSshDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tidepool-sshconfig-'));
    // A space in the data folder, as in macOS's “Application Support”.
    dataDir = join(root, 'Application Support', 'Tidepool');
    userSshDir = join(root, 'home', '.ssh');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const entry = (name: string, hostName: string, agentForwarding = false) => ({
    alias: `tidepool-${name}`,
    hostName,
    port: 22,
    user: 'dev',
    identityFile: join(dataDir, 'ssh', 'id_ed25519'),
    knownHostsFile: join(dataDir, 'ssh', 'known_hosts'),
    agentForwarding,
  });

  it('writes one owner-only Host entry per workspace with Tidepool’s key and pinned known_hosts', () => {
    const file = new SshConfigFile(dataDir);
    file.upsert(entry('api', '10.0.0.5'));
    file.upsert(entry('web', '10.0.0.6', true));
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    const text = readFileSync(file.path, 'utf8');
    expect(file.entry('api')).toBeNull();
    expect(file.entry('tidepool-api')).toBe(
      [
        'Host tidepool-api',
        '  HostName 10.0.0.5',
        '  User dev',
        `  IdentityFile "${join(dataDir, 'ssh', 'id_ed25519')}"`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile "${join(dataDir, 'ssh', 'known_hosts')}"`,
        '  HostKeyAlias tidepool-api',
        '  StrictHostKeyChecking yes',
        '  ForwardAgent no',
        '',
      ].join('\n'),
    );
    expect(file.entry('tidepool-web')).toContain('ForwardAgent yes');
    // A new address replaces the entry instead of adding a second one.
    file.upsert(entry('api', '10.0.0.9'));
    expect(readFileSync(file.path, 'utf8').match(/Host tidepool-api/g)).toHaveLength(1);
    expect(file.entry('tidepool-api')).toContain('HostName 10.0.0.9');
    file.remove('tidepool-api');
    expect(file.entry('tidepool-api')).toBeNull();
    expect(file.entry('tidepool-web')).not.toBeNull();
    expect(text).toMatch(/^# Managed by Tidepool/);
  });

  it.skipIf(!hasSshClient())('is understood by OpenSSH: `ssh -G` resolves the alias to the workspace', () => {
    const file = new SshConfigFile(dataDir);
    file.upsert(entry('api', '10.0.0.5'));
    const resolved = execFileSync('ssh', ['-G', '-F', file.path, 'tidepool-api'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(resolved).toMatch(/^hostname 10\.0\.0\.5$/m);
    expect(resolved).toMatch(/^user dev$/m);
    expect(resolved).toMatch(/^identitiesonly yes$/m);
    expect(resolved).toMatch(/^hostkeyalias tidepool-api$/m);
    expect(resolved).toContain(`\nuserknownhostsfile ${join(dataDir, 'ssh', 'known_hosts')}\n`);
    expect(resolved).toContain(`\nidentityfile ${join(dataDir, 'ssh', 'id_ed25519')}\n`);
  });

  it.skipIf(!hasSshClient())('reaches a workspace on a remote server through the ProxyCommand given, %-signs and spaces intact', () => {
    const file = new SshConfigFile(dataDir);
    const folder = join(root, 'Tide 100% sure');
    mkdirSync(folder, { recursive: true });
    const proxy = join(folder, 'proxy.sh');
    // Stands in for `tidepool ssh-proxy`: proves ssh ran it with its arguments, then ends the connection.
    writeFileSync(proxy, `#!/bin/sh\necho "$@" > '${join(root, 'proxied')}'\nexit 1\n`, { mode: 0o755 });
    file.upsert({ ...entry('api', '10.0.0.5'), proxyCommand: `'${proxy}' ssh-proxy api` });
    try {
      execFileSync('ssh', ['-F', file.path, '-o', 'BatchMode=yes', 'tidepool-api', 'true'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // ssh fails: the stand-in carries no SSH.
    }
    expect(readFileSync(join(root, 'proxied'), 'utf8').trim()).toBe('ssh-proxy api');
  });

  it('touches ~/.ssh/config only with consent: the Include goes on top and comes off again, the rest stays', () => {
    new SshConfigFile(dataDir).upsert(entry('api', '10.0.0.5'));
    expect(applySshConfigInclude(dataDir, false, userSshDir)).toBe(false);
    expect(() => statSync(join(userSshDir, 'config'))).toThrow();

    mkdirSync(userSshDir, { recursive: true });
    const mine = 'Host *\n  ServerAliveInterval 60\n';
    writeFileSync(join(userSshDir, 'config'), mine, { mode: 0o644 });
    expect(applySshConfigInclude(dataDir, true, userSshDir)).toBe(true);
    const included = readFileSync(join(userSshDir, 'config'), 'utf8');
    expect(included.startsWith('# Tidepool workspaces')).toBe(true);
    expect(included).toContain(`Include "${join(dataDir, 'ssh', 'config')}"\n`);
    expect(included.endsWith(mine)).toBe(true);
    expect(statSync(join(userSshDir, 'config')).mode & 0o777).toBe(0o644);
    expect(isSshConfigIncluded(dataDir, userSshDir)).toBe(true);
    // Applying it again does not add a second Include.
    applySshConfigInclude(dataDir, true, userSshDir);
    expect(readFileSync(join(userSshDir, 'config'), 'utf8').match(/^Include /gm)).toHaveLength(1);
    if (hasSshClient()) {
      const resolved = execFileSync('ssh', ['-G', '-F', join(userSshDir, 'config'), 'tidepool-api'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(resolved).toMatch(/^hostname 10\.0\.0\.5$/m);
    }

    expect(applySshConfigInclude(dataDir, false, userSshDir)).toBe(false);
    expect(readFileSync(join(userSshDir, 'config'), 'utf8')).toBe(mine);
    expect(isSshConfigIncluded(dataDir, userSshDir)).toBe(false);
  });

  it('creates ~/.ssh/config owner-only when it did not exist', () => {
    applySshConfigInclude(dataDir, true, userSshDir);
    expect(statSync(join(userSshDir, 'config')).mode & 0o777).toBe(0o600);
    expect(statSync(userSshDir).mode & 0o777).toBe(0o700);
  });

  it('tells the user how to connect: plain `ssh <alias>` only once the config is included', () => {
    const path = join(dataDir, 'ssh', 'config');
    expect(sshInfoFor('api', path, true, '/home/dev')).toEqual({
      hostAlias: 'tidepool-api',
      command: 'ssh tidepool-api',
      vscodeUri: 'vscode://vscode-remote/ssh-remote+tidepool-api/home/dev',
      configPath: path,
      includedInUserConfig: true,
    });
    expect(sshInfoFor('api', path, false, '/home/dev').command).toBe(`ssh -F '${path}' tidepool-api`);
  });
});
