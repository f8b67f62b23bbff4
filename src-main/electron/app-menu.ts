/**
 * The application menu: the standard macOS roles (the Edit menu's roles are what make copy and paste
 * work in web content) plus New Workspace… (Cmd+N).
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function installAppMenu(newWorkspace: () => void, platform: string = process.platform): void {
  const mac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Workspace…', accelerator: 'CmdOrCtrl+N', click: () => newWorkspace() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
