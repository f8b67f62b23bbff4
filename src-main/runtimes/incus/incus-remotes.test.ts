import { describe, expect, it } from 'vitest';
import type { TidepoolError } from '../../../src-shared/errors.js';
import { exampleWorkspace } from '../../../src-shared/testing/example-workspace.js';
import type { Workspace } from '../../../src-shared/workspace.js';
import { SettingsService } from '../../settings.js';
import { MemoryStateStore } from '../../store/state-store.js';
import { IncusRemotes } from './incus-remotes.js';

const TEAM = { name: 'team', url: 'https://198.51.100.7:8443', serverFingerprint: 'ab'.repeat(32) };

function remotesWith(workspaces: Workspace[] = []): { remotes: IncusRemotes; settings: SettingsService } {
  const settings = new SettingsService(new MemoryStateStore());
  settings.replace({ incus: { socketPath: null, remotes: [TEAM], activeRemote: null } });
  return { remotes: new IncusRemotes({ dataDir: '/nonexistent', settings, workspaces: () => workspaces }), settings };
}

function failure(action: () => unknown): TidepoolError | null {
  try {
    action();
    return null;
  } catch (caught) {
    return caught as TidepoolError;
  }
}

describe('choosing where new workspaces are created', () => {
  it('makes Incus the runtime with a remote, and automatic again back on this computer (Tart again on a Mac)', () => {
    const { remotes, settings } = remotesWith();
    expect(remotes.use('team')).toMatchObject({ runtime: 'incus', incus: { activeRemote: 'team' } });
    expect(remotes.use(null)).toMatchObject({ runtime: 'auto', incus: { activeRemote: null } });
    settings.update({ runtime: 'tart' });
    expect(remotes.use(null).runtime).toBe('tart');
  });

  it('refuses a remote that was never added and changes nothing', () => {
    const { remotes, settings } = remotesWith();
    expect(failure(() => remotes.use('lab'))).toMatchObject({ code: 'NOT_FOUND', hint: 'Added: team.' });
    expect(settings.get().incus.activeRemote).toBeNull();
  });
});

describe('forgetting a remote', () => {
  it('is refused while a workspace lives there, naming it', () => {
    const { remotes, settings } = remotesWith([exampleWorkspace({ name: 'api', location: 'team' }), exampleWorkspace({ name: 'web' })]);
    const refused = failure(() => remotes.remove('team'));
    expect(refused).toMatchObject({ code: 'BUSY' });
    expect(refused?.message).toContain('api');
    expect(refused?.message).not.toContain('web');
    expect(settings.get().incus.remotes).toEqual([TEAM]);
  });

  it('sends new workspaces back to this computer when it was the active one', () => {
    const { remotes } = remotesWith();
    remotes.use('team');
    expect(remotes.remove('team')).toMatchObject({ runtime: 'auto', incus: { remotes: [], activeRemote: null } });
  });
});
