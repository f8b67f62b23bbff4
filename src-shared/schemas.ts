/** Validation of every input that crosses a boundary (IPC, WebSocket, CLI). Unknown keys are rejected. */
import { z } from 'zod';
import { INSTANCE_KINDS, RUNTIME_IDS } from './workspace.js';

export const RESOURCE_LIMITS = {
  cpus: { min: 1, max: 64, default: 2 },
  memoryMiB: { min: 512, max: 262144, default: 4096 },
  diskGiB: { min: 5, max: 2048, default: 20 },
} as const;

const NAME_RULE = 'Use 1–63 lower-case letters, digits or hyphens, starting and ending with a letter or digit.';

export const workspaceNameSchema = z
  .string({ error: 'A name is required.' })
  .min(1, { error: 'A name is required.' })
  .max(63, { error: 'Names are at most 63 characters.' })
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: NAME_RULE });

export const workspaceIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: 'Not a workspace id.' });

function boundedInt(label: string, limits: { min: number; max: number }, unit: string) {
  return z
    .number({ error: `${label} must be a number.` })
    .int({ error: `${label} must be a whole number.` })
    .min(limits.min, { error: `${label} must be at least ${limits.min}${unit}.` })
    .max(limits.max, { error: `${label} can be at most ${limits.max}${unit}.` });
}

export const resourcesSchema = z.strictObject({
  cpus: boundedInt('CPUs', RESOURCE_LIMITS.cpus, ''),
  memoryMiB: boundedInt('Memory', RESOURCE_LIMITS.memoryMiB, ' MiB'),
  diskGiB: boundedInt('Disk', RESOURCE_LIMITS.diskGiB, ' GiB'),
});

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]{2,39}\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

export const cidrSchema = z
  .string()
  .max(43)
  .refine((v) => IPV4_CIDR.test(v) || (IPV6_CIDR.test(v) && v.includes(':')), {
    error: 'Use CIDR notation, like 192.168.1.0/24.',
  });

export const networkPolicySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('isolated') }),
  z.strictObject({ mode: z.literal('allow-list'), allow: z.array(cidrSchema).min(1).max(32) }),
]);

export const repoUrlSchema = z
  .string()
  .max(2048)
  .refine((v) => /^(https:\/\/|ssh:\/\/|git@)[^\s'"`$;|&<>\\]+$/.test(v), {
    error: 'Use an https://, ssh:// or git@ repository URL.',
  });

export const runtimeIdSchema = z.enum(RUNTIME_IDS);
export const instanceKindSchema = z.enum(INSTANCE_KINDS);

export const createWorkspaceInputSchema = z.strictObject({
  name: workspaceNameSchema,
  runtime: runtimeIdSchema.optional(),
  kind: instanceKindSchema.optional(),
  resources: resourcesSchema.optional(),
  network: networkPolicySchema.optional(),
  repoUrl: repoUrlSchema.optional(),
  image: z.string().max(200).regex(/^[a-zA-Z0-9._/:-]+$/).optional(),
  sshAgentForwarding: z.boolean().optional(),
  /** Open the IDE when ready (the UI passes true). */
  open: z.boolean().optional(),
});
export type CreateWorkspaceInput = z.infer<typeof createWorkspaceInputSchema>;

export const workspaceRefSchema = z.strictObject({ id: workspaceIdSchema });
export const stopWorkspaceInputSchema = z.strictObject({ id: workspaceIdSchema, force: z.boolean().optional() });
export const deleteWorkspaceInputSchema = z.strictObject({
  id: workspaceIdSchema,
  /** Keep the home volume for a later workspace (runtimes with separate homes). */
  keepHome: z.boolean().optional(),
});
export const portSchema = z.number().int().min(1).max(65535);

/** A name for an Incus remote, as `incus remote` would take it; `local` means this computer. */
export const incusRemoteNameSchema = z
  .string({ error: 'A name is required.' })
  .min(1, { error: 'A name is required.' })
  .max(63, { error: 'Names are at most 63 characters.' })
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: NAME_RULE })
  .refine((name) => name !== 'local', { error: '“local” is this computer’s own Incus; choose another name.' });

export const addIncusRemoteInputSchema = z.strictObject({
  name: incusRemoteNameSchema,
  /** What `incus config trust add tidepool` printed on the server. */
  token: z.string().trim().min(1, { error: 'Paste the trust token.' }).max(16_384),
  /** https://host:8443; the token's own address list is used when left out. */
  url: z.string().trim().max(300).optional(),
  /** Make it the server new workspaces are created on. */
  use: z.boolean().optional(),
});

export const settingsPatchSchema = z.strictObject({
  runtime: z.union([runtimeIdSchema, z.literal('auto')]).optional(),
  defaultResources: resourcesSchema.optional(),
  defaultKind: instanceKindSchema.optional(),
  quitBehaviour: z.enum(['ask', 'stop', 'leave-running']).optional(),
  sshConfigInclude: z.boolean().optional(),
  theme: z.enum(['system', 'light', 'dark']).optional(),
  warmPool: z.strictObject({ size: z.number().int().min(0).max(8) }).optional(),
});

/** Field path → first message, for showing next to form fields. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
