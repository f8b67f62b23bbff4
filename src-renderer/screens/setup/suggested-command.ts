import type { HostStatus, RuntimeId, RuntimeInfo } from '../../../src-shared/workspace.js';

/** The documented way to get each platform's runtime, for when the runtime itself cannot say. */
export const INSTALL_COMMANDS: Partial<Record<RuntimeId, { platform: HostStatus['platform']; command: string; why: string }>> = {
  incus: {
    platform: 'linux',
    command: 'sudo scripts/setup-incus.sh',
    why: 'Installs Incus, starts it, and creates the storage pool and network Tidepool uses. Run it from the Tidepool folder.',
  },
  tart: {
    platform: 'darwin',
    command: 'brew install openai/tools/tart',
    why: 'Installs Tart, which runs macOS’s own virtualisation for Tidepool’s workspaces.',
  },
};

/** The platform's runtime is missing from the list entirely, or not working without naming a fix. */
export function missingRuntimeHelp(status: HostStatus): { id: RuntimeId; command: string; why: string; listed: RuntimeInfo | undefined }[] {
  const help = [];
  for (const [id, install] of Object.entries(INSTALL_COMMANDS) as [RuntimeId, NonNullable<(typeof INSTALL_COMMANDS)[RuntimeId]>][]) {
    if (install.platform !== status.platform) continue;
    const listed = status.runtimes.find((runtime) => runtime.id === id);
    const namesAFix = listed?.setup.some((step) => !step.ok && step.command);
    if (!listed || (!listed.available && !namesAFix)) help.push({ id, command: install.command, why: install.why, listed });
  }
  return help;
}
