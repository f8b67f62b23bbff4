/** Maps every contract method onto the core. The compiler checks that none is missing. */
import { TidepoolError } from '../../src-shared/errors.js';
import type { Core } from '../core.js';
import type { Handlers } from './dispatch.js';

export function createHandlers(core: Core): Handlers {
  const { workspaces, registry, events } = core;
  const guestOf = (id: string) => core.guestFor(workspaces.get(id).runtime);
  const terminalOwners = new Map<string, string>();
  const terminalGuest = (terminalId: string) => {
    const workspaceId = terminalOwners.get(terminalId);
    if (!workspaceId) throw new TidepoolError({ code: 'NOT_FOUND', message: 'That terminal has closed.' });
    return guestOf(workspaceId);
  };

  return {
    getHostStatus: async ({ refresh }) => registry.hostStatus(refresh ?? false),
    listWorkspaces: async () => workspaces.list(),
    getWorkspace: async ({ id }) => workspaces.get(id),
    createWorkspace: async (input) => workspaces.create(input),
    startWorkspace: async ({ id }) => workspaces.start(id),
    stopWorkspace: async ({ id, force }) => workspaces.stop(id, force ?? false),
    deleteWorkspace: async ({ id, keepHome }) => {
      await workspaces.delete(id, keepHome ?? false);
      return null;
    },
    openWorkspace: async ({ id }) => workspaces.open(id),
    cancelOperation: async ({ id }) => {
      workspaces.cancel(id);
      return null;
    },
    getWorkspaceLogs: async ({ id, limit }) => {
      workspaces.get(id);
      return core.logs.recent(id, limit);
    },
    getWorkspaceStats: async ({ id }) => {
      const workspace = workspaces.get(id);
      const runtime = registry.findForWorkspace(workspace);
      if (!runtime?.stats || workspace.state !== 'ready') return null;
      return runtime.stats(workspace.instanceName);
    },
    getProgress: async () => workspaces.progress(),
    setNetworkPolicy: async ({ id, allow }) => {
      const workspace = workspaces.updateNetworkAllowList(id, allow);
      const runtime = registry.forWorkspace(workspace);
      if (runtime.configure && workspace.state === 'ready') {
        await runtime.configure(workspace.instanceName, { network: workspace.network }, core.quietContext());
      }
      return workspace;
    },
    listOrphans: async () => workspaces.orphans(),
    adoptOrphan: async ({ runtime, instanceName }) => workspaces.adoptOrphan(runtime, instanceName),
    removeOrphan: async ({ runtime, instanceName }) => {
      await workspaces.removeOrphan(runtime, instanceName);
      return null;
    },
    listImages: async ({ runtime }) => core.images.list(runtime),
    buildImage: async ({ runtime, force }) => {
      await core.images.build(runtime, force ?? false);
      return null;
    },
    getSshInfo: async ({ id }) => {
      const workspace = workspaces.get(id);
      return core.guestFor(workspace.runtime).sshInfo(id, workspace.name);
    },
    listGuestPorts: async ({ id }) => guestOf(id).listGuestPorts(id),
    listForwardedPorts: async ({ id }) => guestOf(id).listForwardedPorts(id),
    forwardPort: async ({ id, guestPort, hostPort }) => guestOf(id).forwardPort(id, guestPort, hostPort),
    unforwardPort: async ({ id, guestPort }) => {
      await guestOf(id).unforwardPort(id, guestPort);
      return null;
    },
    openTerminal: async ({ id, cols, rows }) => {
      const workspace = workspaces.get(id);
      if (workspace.state !== 'ready') {
        throw new TidepoolError({ code: 'INVALID_STATE', message: `Start “${workspace.name}” to open a terminal.` });
      }
      let terminalId = '';
      terminalId = await guestOf(id).openTerminal(id, { cols, rows }, {
        onData: (data) => events.emit('terminalData', { terminalId, data }),
        onExit: (code) => {
          terminalOwners.delete(terminalId);
          events.emit('terminalExit', { terminalId, code });
        },
      });
      terminalOwners.set(terminalId, id);
      return { terminalId };
    },
    writeTerminal: async ({ terminalId, data }) => {
      terminalGuest(terminalId).writeTerminal(terminalId, data);
      return null;
    },
    resizeTerminal: async ({ terminalId, cols, rows }) => {
      terminalGuest(terminalId).resizeTerminal(terminalId, { cols, rows });
      return null;
    },
    closeTerminal: async ({ terminalId }) => {
      if (terminalOwners.has(terminalId)) terminalGuest(terminalId).closeTerminal(terminalId);
      return null;
    },
    getSettings: async () => core.settings.get(),
    updateSettings: async (patch) => core.settings.update(patch),
    addIncusRemote: async (input) => core.remotes.add(input),
    removeIncusRemote: async ({ name }) => core.remotes.remove(name),
    useIncusRemote: async ({ name }) => core.remotes.use(name),
    showIdeView: async ({ id, bounds }) => {
      const workspace = workspaces.get(id);
      // The browser host has no native views: its renderer shows the IDE in an iframe.
      if (!core.ideViews) return null;
      const guest = core.guestFor(workspace.runtime);
      if (workspace.state !== 'ready' || !guest.isAttached(id)) {
        throw new TidepoolError({ code: 'INVALID_STATE', message: `Start “${workspace.name}” to show its IDE.` });
      }
      core.ideViews.show(id, guest.ideUrl(id), bounds);
      return null;
    },
    hideIdeViews: async () => {
      core.ideViews?.hideAll();
      return null;
    },
    closeIdeView: async ({ id }) => {
      core.ideViews?.close(id);
      return null;
    },
  };
}
