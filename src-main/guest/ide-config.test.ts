import { describe, expect, it } from 'vitest';
import { ideConfigText, mergeSettings, workspaceIdeSettings } from './ide-config.js';

describe('code-server settings', () => {
  it('binds code-server to the guest’s loopback only, without a password (the SSH tunnel is the way in)', () => {
    expect(ideConfigText(13337)).toContain('bind-addr: 127.0.0.1:13337\nauth: none\ncert: false\n');
  });

  it('adds the workspace’s settings and keeps every setting the user made', () => {
    const user = JSON.stringify({ 'editor.fontSize': 15, 'window.title': 'old' });
    const merged = JSON.parse(mergeSettings(user, workspaceIdeSettings('api'))!) as Record<string, unknown>;
    expect(merged['editor.fontSize']).toBe(15);
    expect(merged['window.title']).toContain('api');
  });

  it('leaves the file untouched when nothing changes, and creates it when missing', () => {
    const ours = workspaceIdeSettings('api');
    const once = mergeSettings(null, ours)!;
    expect(JSON.parse(once)).toEqual(ours);
    expect(mergeSettings(once, ours)).toBe(once);
  });

  it('does not rewrite settings with comments (JSONC) it cannot parse', () => {
    expect(mergeSettings('{\n  // mine\n  "editor.fontSize": 15\n}', workspaceIdeSettings('api'))).toBeNull();
  });
});
