import { useState } from 'react';
import type { MethodInput } from '../../src-shared/contract.js';
import { RESOURCE_LIMITS, resourcesSchema } from '../../src-shared/schemas.js';
import type { Settings } from '../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../app/app-context.js';
import { ErrorDetails } from '../components/ErrorDetails.js';
import { Choice, Field, FieldSet } from '../components/Field.js';
import { realFirst } from '../components/runtime-info.js';
import { SimulatedBadge } from '../components/SimulatedBadge.js';
import { useAction } from '../hooks/use-action.js';
import { MEMORY_GIB_LIMITS } from './create/create-form.js';
import { IncusServersSection, incusServersRelevant } from './settings/IncusServersSection.js';

type Patch = MethodInput<'updateSettings'>;

const WARM_POOL_SIZES = [0, 1, 2, 4, 8];

/** Preferences apply as soon as they change, like macOS settings; there is no Save button. */
export function SettingsScreen() {
  const api = useApi();
  const { stores } = useApp();
  const settings = useAppStore('settings', (state) => state.settings);
  const status = useAppStore('host', (state) => state.status);
  const [saved, setSaved] = useState(false);
  const save = useAction(async (patch: Patch) => {
    setSaved(false);
    stores.settings.getState().setSettings(await api.updateSettings(patch));
    setSaved(true);
  });

  if (!settings) return <div className="screen muted">Loading settings…</div>;

  return (
    <div className="screen settings-screen">
      <header className="screen-header">
        <div className="screen-title">
          <h2>Settings</h2>
        </div>
        <span className="muted" role="status">
          {save.pending ? 'Saving…' : saved ? 'Saved' : ''}
        </span>
      </header>
      {save.error ? <ErrorDetails error={save.error} title="That setting was not saved" /> : null}

      <section className="panel" aria-labelledby="settings-workspaces">
        <h3 id="settings-workspaces">New workspaces</h3>
        <ResourceDefaults
          // Starts afresh when the defaults change elsewhere (another window, the CLI).
          key={JSON.stringify(settings.defaultResources)}
          settings={settings}
          onSave={(defaultResources) => void save.run({ defaultResources })}
        />
        <FieldSet legend="Runtime">
          <Choice
            name="runtime"
            checked={settings.runtime === 'auto'}
            onChange={() => void save.run({ runtime: 'auto' })}
            label="Automatic"
            description="The best runtime available on this computer."
          />
          {realFirst(status?.runtimes ?? []).map((runtime) => (
            <Choice
              key={runtime.id}
              name="runtime"
              checked={settings.runtime === runtime.id}
              onChange={() => void save.run({ runtime: runtime.id })}
              label={runtime.displayName}
              badge={runtime.simulated ? <SimulatedBadge /> : null}
              description={runtime.available ? undefined : 'Not available on this computer right now.'}
            />
          ))}
        </FieldSet>
        <FieldSet legend="Default kind">
          <Choice
            name="kind"
            checked={settings.defaultKind === 'container'}
            onChange={() => void save.run({ defaultKind: 'container' })}
            label="Container"
            description="Fast to start; used where the runtime offers it."
          />
          <Choice
            name="kind"
            checked={settings.defaultKind === 'vm'}
            onChange={() => void save.run({ defaultKind: 'vm' })}
            label="Virtual machine"
            description="Strongest isolation."
          />
        </FieldSet>
        <Field
          label="Keep workspaces ready"
          hint="Started, unclaimed workspaces from the current image, so a new one only needs configuring (about a second instead of several). Each uses memory while it waits. Incus on this computer only."
        >
          {(props) => (
            <select {...props} value={settings.warmPool.size} onChange={(event) => void save.run({ warmPool: { size: Number(event.target.value) } })}>
              {[...new Set([...WARM_POOL_SIZES, settings.warmPool.size])].sort((a, b) => a - b).map((size) => (
                <option key={size} value={size}>
                  {size === 0 ? 'None' : `${size} ready`}
                </option>
              ))}
            </select>
          )}
        </Field>
      </section>

      {incusServersRelevant(status, settings) ? <IncusServersSection settings={settings} /> : null}

      <section className="panel" aria-labelledby="settings-quit">
        <h3 id="settings-quit">When you quit Tidepool</h3>
        <FieldSet legend="Running workspaces">
          <Choice
            name="quit"
            checked={settings.quitBehaviour === 'ask'}
            onChange={() => void save.run({ quitBehaviour: 'ask' })}
            label="Ask each time"
          />
          <Choice
            name="quit"
            checked={settings.quitBehaviour === 'stop'}
            onChange={() => void save.run({ quitBehaviour: 'stop' })}
            label="Stop them"
            description="Frees memory and CPU; they start again when you open them."
          />
          <Choice
            name="quit"
            checked={settings.quitBehaviour === 'leave-running'}
            onChange={() => void save.run({ quitBehaviour: 'leave-running' })}
            label="Leave them running"
            description="Builds and servers keep going; Tidepool reconnects when it opens."
          />
        </FieldSet>
      </section>

      <section className="panel" aria-labelledby="settings-ssh">
        <h3 id="settings-ssh">SSH</h3>
        <Choice
          type="checkbox"
          name="ssh-config"
          checked={settings.sshConfigInclude}
          onChange={(checked) => void save.run({ sshConfigInclude: checked })}
          label="Let ssh and desktop editors reach workspaces by name"
          description="Adds one Include line to your ~/.ssh/config pointing at Tidepool’s own file. Turning this off removes the line."
        />
      </section>

      <section className="panel" aria-labelledby="settings-appearance">
        <h3 id="settings-appearance">Appearance</h3>
        <FieldSet legend="Theme">
          {(['system', 'light', 'dark'] as const).map((theme) => (
            <Choice
              key={theme}
              name="theme"
              checked={settings.theme === theme}
              onChange={() => void save.run({ theme })}
              label={theme === 'system' ? 'Match the system' : theme === 'light' ? 'Light' : 'Dark'}
            />
          ))}
        </FieldSet>
      </section>
    </div>
  );
}

/** CPU, memory and disk defaults; each is saved once it is valid and the field is left. */
function ResourceDefaults({ settings, onSave }: { settings: Settings; onSave: (resources: Settings['defaultResources']) => void }) {
  const initial = settings.defaultResources;
  const [cpus, setCpus] = useState(String(initial.cpus));
  const [memory, setMemory] = useState(String(initial.memoryMiB / 1024));
  const [disk, setDisk] = useState(String(initial.diskGiB));

  const candidate = { cpus: Number(cpus), memoryMiB: Math.round(Number(memory) * 1024), diskGiB: Number(disk) };
  const parsed = resourcesSchema.safeParse(candidate);
  const errorFor = (key: keyof typeof candidate) =>
    parsed.success ? undefined : parsed.error.issues.find((issue) => issue.path[0] === key)?.message;
  const commit = () => {
    const changed =
      candidate.cpus !== initial.cpus || candidate.memoryMiB !== initial.memoryMiB || candidate.diskGiB !== initial.diskGiB;
    if (parsed.success && changed) onSave(parsed.data);
  };

  return (
    <div className="field-row">
      <Field label="CPUs" hint={`${RESOURCE_LIMITS.cpus.min}–${RESOURCE_LIMITS.cpus.max}`} error={errorFor('cpus')}>
        {(props) => <input {...props} type="number" min={1} step={1} value={cpus} onChange={(e) => setCpus(e.target.value)} onBlur={commit} />}
      </Field>
      <Field label="Memory (GB)" hint={`${MEMORY_GIB_LIMITS.min}–${MEMORY_GIB_LIMITS.max}`} error={errorFor('memoryMiB')}>
        {(props) => <input {...props} type="number" min={0.5} step={0.5} value={memory} onChange={(e) => setMemory(e.target.value)} onBlur={commit} />}
      </Field>
      <Field label="Disk (GB)" hint={`${RESOURCE_LIMITS.diskGiB.min}–${RESOURCE_LIMITS.diskGiB.max}`} error={errorFor('diskGiB')}>
        {(props) => <input {...props} type="number" min={5} step={1} value={disk} onChange={(e) => setDisk(e.target.value)} onBlur={commit} />}
      </Field>
    </div>
  );
}
