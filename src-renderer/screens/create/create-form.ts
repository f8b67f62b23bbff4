/**
 * The create form's values, its validation (the shared schemas, run as the user types) and the request it
 * becomes. Kept apart from the component so the rules can be read and tested on their own.
 */
import type { TidepoolError } from '../../../src-shared/errors.js';
import { RESOURCE_LIMITS, cidrSchema, repoUrlSchema, resourcesSchema, workspaceNameSchema, type CreateWorkspaceInput } from '../../../src-shared/schemas.js';
import type { HostStatus, InstanceKind, RuntimeId, RuntimeInfo, Settings } from '../../../src-shared/workspace.js';

export interface CreateFormValues {
  name: string;
  repoUrl: string;
  cpus: string;
  memoryGiB: string;
  diskGiB: string;
  runtime: RuntimeId | null;
  kind: InstanceKind;
  networkMode: 'isolated' | 'allow-list';
  /** CIDRs, one per line (commas and spaces also separate). */
  allow: string;
  sshAgentForwarding: boolean;
}

export type CreateField = 'name' | 'repoUrl' | 'cpus' | 'memoryGiB' | 'diskGiB' | 'runtime' | 'kind' | 'allow';
export type FieldErrors = Partial<Record<CreateField, string>>;

export const MEMORY_GIB_LIMITS = {
  min: RESOURCE_LIMITS.memoryMiB.min / 1024,
  max: RESOURCE_LIMITS.memoryMiB.max / 1024,
};

export function usableRuntimes(status: HostStatus | null): RuntimeInfo[] {
  return status?.runtimes.filter((runtime) => runtime.available && runtime.capabilities) ?? [];
}

/** Why a runtime cannot be picked, in words the user can act on. */
export function runtimeUnavailableReason(runtime: RuntimeInfo): string | null {
  if (runtime.available && runtime.capabilities) return null;
  const missing = runtime.setup.find((step) => !step.ok);
  return missing ? `Not set up: ${missing.title}.` : 'Not available on this computer.';
}

export function kindUnavailableReason(runtime: RuntimeInfo | undefined, kind: InstanceKind): string | null {
  if (!runtime?.capabilities) return 'Pick a runtime first.';
  const support = runtime.capabilities.kinds[kind];
  return support.available ? null : (support.reason ?? `${runtime.displayName} cannot run this kind here.`);
}

export function pickKind(runtime: RuntimeInfo | undefined, preferred: InstanceKind): InstanceKind {
  if (!kindUnavailableReason(runtime, preferred)) return preferred;
  return (['container', 'vm'] as const).find((kind) => !kindUnavailableReason(runtime, kind)) ?? preferred;
}

export function initialValues(status: HostStatus | null, settings: Settings | null): CreateFormValues {
  const usable = usableRuntimes(status);
  const runtime = usable.find((candidate) => candidate.id === status?.selected) ?? usable.find((candidate) => !candidate.simulated) ?? usable[0];
  const resources = settings?.defaultResources ?? {
    cpus: RESOURCE_LIMITS.cpus.default,
    memoryMiB: RESOURCE_LIMITS.memoryMiB.default,
    diskGiB: RESOURCE_LIMITS.diskGiB.default,
  };
  return {
    name: '',
    repoUrl: '',
    cpus: String(resources.cpus),
    memoryGiB: String(resources.memoryMiB / 1024),
    diskGiB: String(resources.diskGiB),
    runtime: runtime?.id ?? null,
    kind: pickKind(runtime, settings?.defaultKind ?? 'container'),
    networkMode: 'isolated',
    allow: '',
    sshAgentForwarding: false,
  };
}

export function splitCidrs(text: string): string[] {
  return text.split(/[\s,]+/).filter((entry) => entry.length > 0);
}

/** The first problem with a list of CIDRs, as the user should read it. */
export function allowListProblem(entries: string[]): string | undefined {
  for (const entry of entries) {
    const parsed = cidrSchema.safeParse(entry);
    if (!parsed.success) return `“${entry}”: ${parsed.error.issues[0]?.message ?? 'Not a CIDR.'}`;
  }
  return entries.length > 32 ? 'Allow at most 32 networks.' : undefined;
}

function toNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

export interface Validation {
  errors: FieldErrors;
  /** Present only when there are no errors. */
  input: CreateWorkspaceInput | null;
}

export function validate(values: CreateFormValues, status: HostStatus | null, takenNames: ReadonlySet<string>): Validation {
  const errors: FieldErrors = {};
  const name = workspaceNameSchema.safeParse(values.name);
  if (!name.success) errors.name = name.error.issues[0]?.message ?? 'Invalid name.';
  else if (takenNames.has(values.name)) errors.name = `A workspace named “${values.name}” already exists.`;

  const repoUrl = values.repoUrl.trim();
  if (repoUrl) {
    const parsed = repoUrlSchema.safeParse(repoUrl);
    if (!parsed.success) errors.repoUrl = parsed.error.issues[0]?.message ?? 'Invalid URL.';
  }

  const resources = {
    cpus: toNumber(values.cpus),
    memoryMiB: Math.round(toNumber(values.memoryGiB) * 1024),
    diskGiB: toNumber(values.diskGiB),
  };
  const checkResource = (field: 'cpus' | 'memoryGiB' | 'diskGiB', key: keyof typeof resources) => {
    const parsed = resourcesSchema.shape[key].safeParse(resources[key]);
    if (!parsed.success) errors[field] = parsed.error.issues[0]?.message ?? 'Invalid value.';
  };
  checkResource('cpus', 'cpus');
  checkResource('memoryGiB', 'memoryMiB');
  checkResource('diskGiB', 'diskGiB');

  const runtime = status?.runtimes.find((candidate) => candidate.id === values.runtime);
  if (!runtime) errors.runtime = 'Set up a runtime first.';
  else {
    const reason = runtimeUnavailableReason(runtime);
    if (reason) errors.runtime = reason;
  }
  const kindReason = runtime ? kindUnavailableReason(runtime, values.kind) : null;
  if (kindReason) errors.kind = kindReason;

  const allow = splitCidrs(values.allow);
  if (values.networkMode === 'allow-list') {
    if (!runtime?.capabilities?.networkAllowList) errors.allow = `${runtime?.displayName ?? 'This runtime'} cannot allow extra networks.`;
    else if (allow.length === 0) errors.allow = 'Add at least one network, like 192.168.1.0/24.';
    else {
      const problem = allowListProblem(allow);
      if (problem) errors.allow = problem;
    }
  }

  if (Object.keys(errors).length > 0 || !runtime) return { errors, input: null };
  return {
    errors,
    input: {
      name: values.name,
      runtime: runtime.id,
      kind: values.kind,
      resources,
      network: values.networkMode === 'allow-list' ? { mode: 'allow-list', allow } : { mode: 'isolated' },
      ...(repoUrl ? { repoUrl } : {}),
      sshAgentForwarding: values.sshAgentForwarding,
      open: true,
    },
  };
}

/** The server's per-field messages (paths like `resources.cpus`) placed on this form's fields. */
export function serverFieldErrors(error: TidepoolError): FieldErrors {
  const out: FieldErrors = {};
  const place = (field: CreateField, message: string) => {
    out[field] ??= message;
  };
  for (const [path, message] of Object.entries(error.fields ?? {})) {
    if (path === 'name') place('name', message);
    else if (path === 'repoUrl') place('repoUrl', message);
    else if (path === 'resources.cpus') place('cpus', message);
    else if (path === 'resources.memoryMiB') place('memoryGiB', message);
    else if (path === 'resources.diskGiB') place('diskGiB', message);
    else if (path === 'runtime') place('runtime', message);
    else if (path === 'kind') place('kind', message);
    else if (path.startsWith('network')) place('allow', message);
  }
  if (error.code === 'ALREADY_EXISTS' && !out.name) out.name = error.message;
  return out;
}
