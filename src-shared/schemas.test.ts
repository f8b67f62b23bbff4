import { describe, expect, it } from 'vitest';
import {
  cidrSchema,
  createWorkspaceInputSchema,
  repoUrlSchema,
  resourcesSchema,
  RESOURCE_LIMITS,
  workspaceNameSchema,
} from './schemas.js';

describe('workspace names are DNS labels', () => {
  it.each(['a', 'web', 'my-app-2', '0day', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(workspaceNameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    ['', 'A name is required.'],
    ['a'.repeat(64), 'Names are at most 63 characters.'],
    ['Web', 'lower-case'],
    ['-web', 'starting and ending'],
    ['web-', 'starting and ending'],
    ['my_app', 'lower-case'],
    ['../etc', 'lower-case'],
    ['a;rm -rf', 'lower-case'],
    ['wеb', 'lower-case'], // Cyrillic е: a confusable must not pass as ASCII.
    ['web\n', 'lower-case'],
  ])('refuses %j with a message that says why', (name, fragment) => {
    const result = workspaceNameSchema.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(fragment);
  });
});

describe('resources', () => {
  it('accepts the defaults', () => {
    const defaults = {
      cpus: RESOURCE_LIMITS.cpus.default,
      memoryMiB: RESOURCE_LIMITS.memoryMiB.default,
      diskGiB: RESOURCE_LIMITS.diskGiB.default,
    };
    expect(resourcesSchema.parse(defaults)).toEqual(defaults);
  });

  it.each([
    [{ cpus: 0, memoryMiB: 4096, diskGiB: 20 }, 'CPUs must be at least 1'],
    [{ cpus: 2, memoryMiB: 100, diskGiB: 20 }, 'Memory must be at least 512 MiB'],
    [{ cpus: 2, memoryMiB: 4096, diskGiB: 100000 }, 'Disk can be at most 2048 GiB'],
    [{ cpus: 1.5, memoryMiB: 4096, diskGiB: 20 }, 'whole number'],
    [{ cpus: '2', memoryMiB: 4096, diskGiB: 20 }, 'must be a number'],
  ])('refuses %j', (value, fragment) => {
    const result = resourcesSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(fragment);
  });

  it('rejects unknown keys', () => {
    expect(resourcesSchema.safeParse({ cpus: 2, memoryMiB: 4096, diskGiB: 20, gpu: 1 }).success).toBe(false);
  });
});

describe('create input', () => {
  it('rejects unknown keys rather than ignoring them', () => {
    expect(createWorkspaceInputSchema.safeParse({ name: 'ok', privileged: true }).success).toBe(false);
  });

  it.each(['https://github.com/a/b.git', 'git@github.com:a/b.git', 'ssh://git@host/a/b'])('accepts repo %s', (url) => {
    expect(repoUrlSchema.safeParse(url).success).toBe(true);
  });

  it.each(['file:///etc/passwd', 'https://x/$(reboot)', 'https://x/a;b', 'ext::sh -c id'])('refuses repo %s', (url) => {
    expect(repoUrlSchema.safeParse(url).success).toBe(false);
  });

  it.each(['192.168.1.0/24', '10.0.0.5/32', 'fd00::/8'])('accepts CIDR %s', (cidr) => {
    expect(cidrSchema.safeParse(cidr).success).toBe(true);
  });

  it.each(['192.168.1.0', '300.1.1.1/24', '10.0.0.0/33', 'lan', '::/129'])('refuses CIDR %s', (cidr) => {
    expect(cidrSchema.safeParse(cidr).success).toBe(false);
  });
});
