/**
 * A stand-in for the parts of Electron's main-process API the shell uses, recording what the shell does
 * with them, so the shell's wiring can run in plain Node (the real `electron` module cannot even be
 * imported here). It checks nothing about Electron's own behaviour: that needs the binary.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

type Listener = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: unknown[][] = [];
  loadedUrl: string | null = null;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  ignoreMenuShortcuts = false;
  focused = false;
  destroyed = false;
  zoomFactor = 1;

  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  setIgnoreMenuShortcuts(ignore: boolean): void {
    this.ignoreMenuShortcuts = ignore;
  }
  getZoomFactor(): number {
    return this.zoomFactor;
  }
  focus(): void {
    this.focused = true;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    this.destroyed = true;
  }
}

export class FakeSession {
  requestHandler: Listener | null = null;
  checkHandler: Listener | null = null;
  deviceHandler: Listener | null = null;
  cleared = 0;
  constructor(readonly partition: string) {}
  setPermissionRequestHandler(handler: Listener): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: Listener): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(handler: Listener): void {
    this.deviceHandler = handler;
  }
  async clearStorageData(): Promise<void> {
    this.cleared++;
  }
}

export class FakeView {
  bounds: unknown = null;
  visible = true;
  setBounds(bounds: unknown): void {
    this.bounds = bounds;
  }
  setVisible(visible: boolean): void {
    this.visible = visible;
  }
  getVisible(): boolean {
    return this.visible;
  }
}

export class FakeWebContentsView extends FakeView {
  readonly webContents = new FakeWebContents();
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    super();
    fake.views.push(this);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly children: FakeView[] = [];
  readonly contentView = {
    addChildView: (view: FakeView) => this.children.push(view),
    removeChildView: (view: FakeView) => this.children.splice(this.children.indexOf(view), 1),
  };
  destroyed = false;
  shown = false;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    super();
    fake.windows.push(this);
  }
  async loadURL(url: string): Promise<void> {
    await this.webContents.loadURL(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isFocused(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  show(): void {
    this.shown = true;
  }
  focus(): void {}
}

export interface FakeMenuItem {
  label?: string;
  role?: string;
  accelerator?: string;
  enabled?: boolean;
  type?: string;
  click?: () => void;
  submenu?: FakeMenuItem[];
}

export class FakeTray {
  image: unknown = null;
  tooltip = '';
  menu: FakeMenuItem[] = [];
  destroyed = false;
  constructor(image: unknown) {
    this.image = image;
    fake.trays.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: { template: FakeMenuItem[] }): void {
    this.menu = menu.template;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const appEvents = new EventEmitter();

/** Everything the shell did, for the test to look at. */
export const fake = {
  windows: [] as FakeBrowserWindow[],
  views: [] as FakeWebContentsView[],
  trays: [] as FakeTray[],
  sessions: new Map<string, FakeSession>(),
  handles: new Map<string, Listener>(),
  ipcListeners: new Map<string, Listener>(),
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  privilegedSchemes: [] as unknown[],
  applicationMenu: [] as FakeMenuItem[],
  openedExternally: [] as string[],
  notifications: [] as { title: string; body: string }[],
  dialogAnswers: [] as { response: number; checkboxChecked: boolean }[],
  dialogs: [] as unknown[],
  paths: new Map<string, string>(),
  quitCalls: 0,
  quitCompleted: false,
  exitCode: null as number | null,
  appEvents,
  ready: Promise.resolve(),
};

const defaultSession = new FakeSession('');

export const electron = {
  app: {
    setPath: (name: string, path: string) => fake.paths.set(name, path),
    getPath: (name: string) => fake.paths.get(name) ?? `/nonexistent/${name}`,
    getAppPath: () => fileURLToPath(new URL('../../..', import.meta.url)),
    getVersion: () => '0.0.0-test',
    getName: () => 'Tidepool',
    isPackaged: false,
    requestSingleInstanceLock: () => true,
    whenReady: () => fake.ready,
    on: (event: string, listener: Listener) => appEvents.on(event, listener),
    quit: () => {
      fake.quitCalls++;
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      appEvents.emit('before-quit', event);
      if (!event.defaultPrevented) fake.quitCompleted = true;
    },
    exit: (code = 0) => {
      fake.exitCode = code;
    },
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => fake.privilegedSchemes.push(...schemes),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => fake.protocolHandlers.set(scheme, handler),
  },
  net: {
    fetch: async (url: string) => new Response(await readFile(fileURLToPath(url))),
  },
  session: {
    defaultSession,
    fromPartition: (partition: string) => {
      if (!fake.sessions.has(partition)) fake.sessions.set(partition, new FakeSession(partition));
      return fake.sessions.get(partition)!;
    },
  },
  ipcMain: {
    handle: (channel: string, listener: Listener) => fake.handles.set(channel, listener),
    removeHandler: (channel: string) => fake.handles.delete(channel),
    on: (channel: string, listener: Listener) => fake.ipcListeners.set(channel, listener),
    removeAllListeners: (channel: string) => fake.ipcListeners.delete(channel),
  },
  shell: {
    openExternal: async (url: string) => void fake.openedExternally.push(url),
  },
  dialog: {
    showMessageBox: async (...args: unknown[]) => {
      fake.dialogs.push(args.at(-1));
      return fake.dialogAnswers.shift() ?? { response: 0, checkboxChecked: false };
    },
    showErrorBox: (title: string, content: string) => fake.dialogs.push({ title, content }),
  },
  BrowserWindow: FakeBrowserWindow,
  WebContentsView: FakeWebContentsView,
  Tray: FakeTray,
  Menu: {
    buildFromTemplate: (template: FakeMenuItem[]) => ({ template }),
    setApplicationMenu: (menu: { template: FakeMenuItem[] }) => {
      fake.applicationMenu = menu.template;
    },
  },
  nativeImage: {
    createFromPath: (path: string) => ({ path, template: false, setTemplateImage(this: { template: boolean }, on: boolean) { this.template = on; } }),
  },
  nativeTheme: { shouldUseDarkColors: false },
  powerMonitor: new EventEmitter(),
  Notification: class {
    static isSupported = () => true;
    private readonly events = new EventEmitter();
    constructor(private readonly options: { title: string; body: string }) {}
    on(event: string, listener: Listener) {
      this.events.on(event, listener);
      return this;
    }
    show() {
      fake.notifications.push(this.options);
    }
  },
};
