import { useMemo, useState, type FormEvent } from 'react';
import { toTidepoolError } from '../../../src-shared/errors.js';
import { RESOURCE_LIMITS } from '../../../src-shared/schemas.js';
import type { Workspace } from '../../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Choice, Field, FieldSet } from '../../components/Field.js';
import { kindName, realFirst } from '../../components/runtime-info.js';
import { SimulatedBadge } from '../../components/SimulatedBadge.js';
import { useAction } from '../../hooks/use-action.js';
import {
  MEMORY_GIB_LIMITS,
  initialValues,
  usableRuntimes,
  kindUnavailableReason,
  pickKind,
  runtimeUnavailableReason,
  serverFieldErrors,
  validate,
  type CreateField,
  type CreateFormValues,
  type FieldErrors,
} from './create-form.js';

const KIND_DESCRIPTIONS = {
  container: 'Starts in seconds and shares this computer’s kernel.',
  vm: 'Its own kernel: the strongest isolation, slower to start.',
};

/** The create form: everything validated as the user types; the server's field errors land on the fields. */
export function CreateForm({ onCreated, onCancel }: { onCreated: (workspace: Workspace) => void; onCancel: () => void }) {
  const api = useApi();
  const { stores } = useApp();
  const status = useAppStore('host', (state) => state.status);
  const settings = useAppStore('settings', (state) => state.settings);
  const workspaces = useAppStore('workspaces', (state) => state.list);
  const [values, setValues] = useState<CreateFormValues>(() => initialValues(status, settings));
  const [touched, setTouched] = useState<Partial<Record<CreateField, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});

  // Opened before the host status arrived: pick the runtime once it is known.
  if (values.runtime === null && usableRuntimes(status).length > 0) {
    const initial = initialValues(status, settings);
    setValues((previous) => ({ ...previous, runtime: initial.runtime, kind: initial.kind }));
  }

  const takenNames = useMemo(() => new Set(workspaces.map((workspace) => workspace.name)), [workspaces]);
  const { errors, input } = validate(values, status, takenNames);
  const shown = (field: CreateField): string | undefined => serverErrors[field] ?? (touched[field] ? errors[field] : undefined);

  const create = useAction(async () => {
    if (!input) return;
    try {
      onCreated(await api.createWorkspace(input));
    } catch (error) {
      const fields = serverFieldErrors(toTidepoolError(error));
      setServerErrors(fields);
      // Field errors are shown on their fields; anything else is shown above the buttons.
      if (Object.keys(fields).length > 0) return;
      throw error;
    }
  });

  const update = <K extends keyof CreateFormValues>(key: K, value: CreateFormValues[K], field?: CreateField) => {
    setValues((previous) => {
      const next = { ...previous, [key]: value };
      if (key === 'runtime') {
        const runtime = status?.runtimes.find((candidate) => candidate.id === value);
        next.kind = pickKind(runtime, previous.kind);
      }
      return next;
    });
    if (field) {
      setTouched((previous) => ({ ...previous, [field]: true }));
      setServerErrors((previous) => {
        const next = { ...previous };
        delete next[field];
        return next;
      });
    }
  };

  const runtime = status?.runtimes.find((candidate) => candidate.id === values.runtime);
  const runtimes = realFirst(status?.runtimes ?? []);
  const allowListReason = !runtime?.capabilities
    ? 'Pick a runtime first.'
    : runtime.capabilities.networkAllowList
      ? null
      : `${runtime.displayName} cannot allow extra networks.`;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Show every problem at once if the user tries anyway (the button is disabled, Enter is not).
    setTouched({ name: true, repoUrl: true, cpus: true, memoryGiB: true, diskGiB: true, runtime: true, kind: true, allow: true });
    if (input && !create.pending) void create.run();
  };

  const noRuntime = runtimes.every((candidate) => runtimeUnavailableReason(candidate) !== null);

  return (
    <form className="create-form" onSubmit={onSubmit} noValidate>
      {noRuntime ? (
        <div className="notice notice-warning" role="status">
          No runtime is set up on this computer yet.{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              stores.navigation.getState().navigate({ kind: 'setup' });
              onCancel();
            }}
          >
            Open set-up
          </button>
        </div>
      ) : null}

      <Field label="Name" hint="Lower-case letters, digits and hyphens, like my-app." error={shown('name')}>
        {(props) => (
          <input
            {...props}
            data-autofocus
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.name}
            onChange={(event) => update('name', event.target.value, 'name')}
          />
        )}
      </Field>

      <Field label="Git repository (optional)" hint="Cloned into the workspace’s home folder." error={shown('repoUrl')}>
        {(props) => (
          <input
            {...props}
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="https://github.com/you/project.git"
            value={values.repoUrl}
            onChange={(event) => update('repoUrl', event.target.value, 'repoUrl')}
          />
        )}
      </Field>

      <div className="field-row">
        <Field label="CPUs" hint={`${RESOURCE_LIMITS.cpus.min}–${RESOURCE_LIMITS.cpus.max}`} error={shown('cpus')}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={RESOURCE_LIMITS.cpus.min}
              max={RESOURCE_LIMITS.cpus.max}
              step={1}
              value={values.cpus}
              onChange={(event) => update('cpus', event.target.value, 'cpus')}
            />
          )}
        </Field>
        <Field label="Memory (GB)" hint={`${MEMORY_GIB_LIMITS.min}–${MEMORY_GIB_LIMITS.max}`} error={shown('memoryGiB')}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={MEMORY_GIB_LIMITS.min}
              max={MEMORY_GIB_LIMITS.max}
              step={0.5}
              value={values.memoryGiB}
              onChange={(event) => update('memoryGiB', event.target.value, 'memoryGiB')}
            />
          )}
        </Field>
        <Field label="Disk (GB)" hint={`${RESOURCE_LIMITS.diskGiB.min}–${RESOURCE_LIMITS.diskGiB.max}`} error={shown('diskGiB')}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={RESOURCE_LIMITS.diskGiB.min}
              max={RESOURCE_LIMITS.diskGiB.max}
              step={1}
              value={values.diskGiB}
              onChange={(event) => update('diskGiB', event.target.value, 'diskGiB')}
            />
          )}
        </Field>
      </div>

      <FieldSet legend="Runtime" error={touched.runtime || serverErrors.runtime ? (serverErrors.runtime ?? errors.runtime) : undefined}>
        {runtimes.map((candidate) => {
          const reason = runtimeUnavailableReason(candidate);
          return (
            <Choice
              key={candidate.id}
              name="runtime"
              checked={values.runtime === candidate.id}
              disabled={reason !== null}
              disabledReason={reason}
              onChange={() => update('runtime', candidate.id, 'runtime')}
              label={`${candidate.displayName}${candidate.version && !candidate.simulated ? ` ${candidate.version}` : ''}`}
              badge={candidate.simulated ? <SimulatedBadge /> : null}
              description={status?.selected === candidate.id ? 'Recommended for this computer.' : undefined}
            />
          );
        })}
      </FieldSet>

      <FieldSet legend="Kind" error={serverErrors.kind}>
        {(['container', 'vm'] as const).map((kind) => {
          const reason = kindUnavailableReason(runtime, kind);
          return (
            <Choice
              key={kind}
              name="kind"
              checked={values.kind === kind}
              disabled={reason !== null}
              disabledReason={reason}
              onChange={() => update('kind', kind, 'kind')}
              label={kindName(kind)}
              description={KIND_DESCRIPTIONS[kind]}
            />
          );
        })}
      </FieldSet>

      <FieldSet legend="Network">
        <Choice
          name="network"
          checked={values.networkMode === 'isolated'}
          onChange={() => update('networkMode', 'isolated')}
          label="Isolated (recommended)"
          description="Reaches the internet, but not your local network or other workspaces."
        />
        <Choice
          name="network"
          checked={values.networkMode === 'allow-list'}
          disabled={allowListReason !== null}
          disabledReason={allowListReason}
          onChange={() => update('networkMode', 'allow-list')}
          label="Isolated, plus networks I allow"
          description="For a service on your LAN or a VPN range."
        />
        {values.networkMode === 'allow-list' ? (
          <Field label="Allowed networks" hint="CIDR notation, one per line, like 192.168.1.0/24." error={shown('allow')}>
            {(props) => (
              <textarea
                {...props}
                rows={3}
                spellCheck={false}
                className="mono"
                value={values.allow}
                onChange={(event) => update('allow', event.target.value, 'allow')}
              />
            )}
          </Field>
        ) : null}
      </FieldSet>

      <FieldSet legend="SSH">
        <Choice
          type="checkbox"
          name="ssh-agent"
          checked={values.sshAgentForwarding}
          onChange={(checked) => update('sshAgentForwarding', checked)}
          label="Forward my SSH agent"
          description="Lets git in the workspace use your SSH keys without copying them. Anything running in the workspace can use them while it is connected."
        />
      </FieldSet>

      {create.error ? <ErrorDetails error={create.error} title="Could not create the workspace" /> : null}

      <div className="dialog-footer">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={!input || create.pending}>
          {create.pending ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
