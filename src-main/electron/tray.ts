/**
 * The menu-bar icon and its menu, rendered from tray-menu.ts's model. The whole menu is rebuilt on every
 * change (Linux needs setContextMenu again for any change anyway), at most a few times a second.
 */
import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { HostStatus } from '../../src-shared/workspace.js';
import type { Core } from '../core.js';
import { buildTrayMenu, type TrayAction, type TrayIcon, type TrayMenuItem } from './tray-menu.js';

const REBUILD_AFTER_MS = 250;
const ICON_FILES: Record<TrayIcon, string> = {
  idle: 'trayTemplate.png',
  running: 'trayRunningTemplate.png',
  failing: 'trayFailingTemplate.png',
};

export class TidepoolTray {
  private readonly tray: Tray;
  private readonly icons: Record<TrayIcon, NativeImage>;
  private host: HostStatus | null = null;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly core: Core,
    assetsDir: string,
    private readonly act: (action: TrayAction) => void,
  ) {
    // File names ending in Template (with an @2x sibling) are template images: macOS tints them.
    this.icons = {
      idle: nativeImage.createFromPath(join(assetsDir, ICON_FILES.idle)),
      running: nativeImage.createFromPath(join(assetsDir, ICON_FILES.running)),
      failing: nativeImage.createFromPath(join(assetsDir, ICON_FILES.failing)),
    };
    for (const icon of Object.values(this.icons)) icon.setTemplateImage(true);
    this.tray = new Tray(this.icons.idle);
    this.unsubscribe.push(
      core.events.on('workspaceChanged', () => this.schedule()),
      core.events.on('workspaceRemoved', () => this.schedule()),
      core.events.on('hostChanged', (status) => {
        this.host = status;
        this.schedule();
      }),
    );
    void core.registry.hostStatus().then((status) => {
      this.host = status;
      this.schedule();
    });
    this.render();
  }

  destroy(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.tray.destroy();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.render();
    }, REBUILD_AFTER_MS);
  }

  private render(): void {
    if (this.tray.isDestroyed()) return;
    const model = buildTrayMenu(this.core.workspaces.list(), this.host);
    this.tray.setImage(this.icons[model.icon]);
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((item) => this.template(item))));
  }

  private template(item: TrayMenuItem): MenuItemConstructorOptions {
    if (item.type === 'separator') return { type: 'separator' };
    if (item.type === 'submenu') return { label: item.label, submenu: item.submenu.map((entry) => this.template(entry)) };
    const action = item.action;
    return { label: item.label, enabled: item.enabled, ...(action ? { click: () => this.act(action) } : {}) };
  }
}
