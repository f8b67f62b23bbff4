/**
 * Feeds the stores: one snapshot load (again after every reconnect, since events may have been missed),
 * then pushed events. Nothing here polls.
 */
import type { TidepoolApi } from '../../src-shared/contract.js';
import { toTidepoolError } from '../../src-shared/errors.js';
import type { ConnectionStatus } from '../api/connection.js';
import { applyAppCommand } from './app-commands.js';
import { checkHost, loadImages, loadOrphans } from './host-actions.js';
import { isRuntimeId } from './host-store.js';
import type { Stores } from './stores.js';

export async function loadSnapshot(api: TidepoolApi, stores: Stores): Promise<void> {
  try {
    const [workspaces, progress, settings] = await Promise.all([
      api.listWorkspaces({}),
      api.getProgress({}),
      api.getSettings({}),
      checkHost(api, stores.host, false),
    ]);
    stores.workspaces.getState().replaceAll(workspaces);
    stores.workspaces.getState().replaceProgress(progress);
    stores.settings.getState().setSettings(settings);
    stores.status.getState().setLoadError(null);
  } catch (error) {
    stores.status.getState().setLoadError(toTidepoolError(error));
    return;
  }
  // Unclaimed instances are advisory: a runtime that cannot list them must not block the app.
  await loadOrphans(api, stores.host).catch(() => undefined);
}

export function connectStores(api: TidepoolApi, stores: Stores, connection?: ConnectionStatus): () => void {
  const { workspaces, host, logs, navigation } = stores;
  const unsubscribers = [
    api.on('workspaceChanged', (workspace) => workspaces.getState().upsert(workspace)),
    api.on('workspaceRemoved', ({ id }) => {
      workspaces.getState().remove(id);
      logs.getState().forget(id);
      navigation.getState().forgetWorkspace(id);
    }),
    api.on('progress', (progress) => workspaces.getState().applyProgress(progress)),
    api.on('log', (line) => logs.getState().append(line)),
    api.on('hostChanged', (status) => {
      host.getState().setStatus(status);
      void loadImages(api, host, status).catch(() => undefined);
    }),
    api.on('appCommand', (command) => applyAppCommand(stores, command)),
    api.on('imageProgress', (event) => {
      host.getState().applyImageProgress(event);
      const runtime = event.runtime;
      if (event.done && isRuntimeId(runtime)) {
        void api
          .listImages({ runtime })
          .then((images) => host.getState().setImages(runtime, images))
          .catch(() => undefined);
      }
    }),
  ];
  if (connection) {
    stores.status.getState().setConnection(connection.connection());
    unsubscribers.push(
      connection.onConnectionChange((state) => {
        const previous = stores.status.getState().connection;
        stores.status.getState().setConnection(state);
        // Events may have been missed while away: start again from a snapshot.
        if (state === 'open' && (previous === 'reconnecting' || previous === 'signed-out')) void loadSnapshot(api, stores);
      }),
    );
  }
  void loadSnapshot(api, stores);
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
