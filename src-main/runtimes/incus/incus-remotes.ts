/**
 * The Incus servers a user has added, kept in the settings: add one with a trust token made on it, choose
 * the one new workspaces go to (which makes Incus the runtime), forget one. A workspace stays on the server
 * it was created on.
 */
import { TidepoolError } from '../../../src-shared/errors.js';
import type { Settings, Workspace } from '../../../src-shared/workspace.js';
import type { SettingsService } from '../../settings.js';
import { addRemote } from './incus-remote.js';

export interface AddIncusRemoteInput {
  name: string;
  token: string;
  url?: string | undefined;
  use?: boolean | undefined;
}

export class IncusRemotes {
  constructor(
    private readonly deps: {
      dataDir: string;
      settings: SettingsService;
      workspaces(): Workspace[];
    },
  ) {}

  async add(input: AddIncusRemoteInput, signal?: AbortSignal): Promise<Settings> {
    const current = this.deps.settings.get().incus;
    if (current.remotes.some((remote) => remote.name === input.name)) {
      throw new TidepoolError({
        code: 'ALREADY_EXISTS',
        message: `An Incus remote named “${input.name}” is already added.`,
        hint: 'Choose another name, or remove that remote first.',
        fields: { name: 'Already added.' },
      });
    }
    const remote = await addRemote({ dataDir: this.deps.dataDir, name: input.name, token: input.token, ...(input.url ? { url: input.url } : {}), ...(signal ? { signal } : {}) });
    // Read again: the settings may have changed while the server answered.
    const incus = this.deps.settings.get().incus;
    return this.deps.settings.replace({
      incus: {
        ...incus,
        remotes: [...incus.remotes.filter((known) => known.name !== remote.name), remote],
        activeRemote: input.use ? remote.name : incus.activeRemote,
      },
      ...(input.use ? { runtime: 'incus' as const } : {}),
    });
  }

  remove(name: string): Settings {
    const incus = this.deps.settings.get().incus;
    this.known(incus, name);
    const living = this.deps.workspaces().filter((workspace) => workspace.runtime === 'incus' && workspace.location === name);
    if (living.length > 0) {
      throw new TidepoolError({
        code: 'BUSY',
        message: `${living.length === 1 ? 'A workspace lives' : `${living.length} workspaces live`} on “${name}”: ${living.map((workspace) => workspace.name).join(', ')}.`,
        hint: 'Delete them first; Tidepool could not reach them without this remote.',
      });
    }
    const wasActive = incus.activeRemote === name;
    return this.deps.settings.replace({
      incus: { ...incus, remotes: incus.remotes.filter((remote) => remote.name !== name), activeRemote: wasActive ? null : incus.activeRemote },
      ...(wasActive ? this.runtimeForLocal() : {}),
    });
  }

  use(name: string | null): Settings {
    const incus = this.deps.settings.get().incus;
    if (name !== null) this.known(incus, name);
    // Choosing a remote is choosing Incus (on a Mac, auto-selection would pick Tart).
    return this.deps.settings.replace({ incus: { ...incus, activeRemote: name }, ...(name !== null ? { runtime: 'incus' as const } : this.runtimeForLocal()) });
  }

  /**
   * Back to this computer: Incus chosen (perhaps only for a remote) becomes automatic again, which is still
   * Incus on Linux and Tart again on a Mac that has no Incus of its own.
   */
  private runtimeForLocal(): Partial<Settings> {
    return this.deps.settings.get().runtime === 'incus' ? { runtime: 'auto' } : {};
  }

  private known(incus: Settings['incus'], name: string): void {
    if (!incus.remotes.some((remote) => remote.name === name)) {
      throw new TidepoolError({
        code: 'NOT_FOUND',
        message: `No Incus remote named “${name}” is added.`,
        hint: incus.remotes.length > 0 ? `Added: ${incus.remotes.map((remote) => remote.name).join(', ')}.` : 'Add one with a trust token first.',
      });
    }
  }
}
