/** User settings with defaults, persisted in the state store. */
import type { z } from 'zod';
import { RESOURCE_LIMITS, type settingsPatchSchema } from '../src-shared/schemas.js';
import type { Settings } from '../src-shared/workspace.js';
import type { StateStore } from './store/state-store.js';

export const DEFAULT_SETTINGS: Settings = {
  runtime: 'auto',
  defaultResources: {
    cpus: RESOURCE_LIMITS.cpus.default,
    memoryMiB: RESOURCE_LIMITS.memoryMiB.default,
    diskGiB: RESOURCE_LIMITS.diskGiB.default,
  },
  defaultKind: 'container',
  quitBehaviour: 'ask',
  sshConfigInclude: false,
  theme: 'system',
  incus: { socketPath: null, remotes: [], activeRemote: null },
  tart: { home: null },
  warmPool: { size: 0 },
};

export class SettingsService {
  constructor(
    private readonly store: StateStore,
    private readonly onChange: (settings: Settings) => void = () => undefined,
    /** Overrides that win over the stored settings for this process (the `--runtime` flag). */
    private readonly overrides: Partial<Settings> = {},
  ) {}

  get(): Settings {
    const stored = this.store.get('settings') ?? {};
    return { ...DEFAULT_SETTINGS, ...stored, ...this.overrides };
  }

  update(patch: z.output<typeof settingsPatchSchema>): Settings {
    const stored = this.store.get('settings') ?? {};
    this.store.set('settings', { ...stored, ...patch });
    const next = this.get();
    this.onChange(next);
    return next;
  }

  /** For settings that are not user-editable through the API (remotes, paths): set by trusted code. */
  replace(settings: Partial<Settings>): Settings {
    const stored = this.store.get('settings') ?? {};
    this.store.set('settings', { ...stored, ...settings });
    const next = this.get();
    this.onChange(next);
    return next;
  }
}
