import { describe, expect, it } from 'vitest';
import { repoFolderName } from './repo-clone.js';

describe('repoFolderName', () => {
  it('names the clone after the repository', () => {
    expect(repoFolderName('https://github.com/acme/my-app.git')).toBe('my-app');
    expect(repoFolderName('git@github.com:acme/my-app')).toBe('my-app');
    expect(repoFolderName('https://example.com/acme/tool/')).toBe('tool');
    expect(repoFolderName('/srv/git/Thing.GIT')).toBe('Thing');
    expect(repoFolderName('https://example.com/a/..')).toBe('repository');
    expect(repoFolderName('https://example.com/a/we ird$name')).toBe('we-ird-name');
  });
});
