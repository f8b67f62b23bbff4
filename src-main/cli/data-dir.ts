/**
 * Where Tidepool keeps its state: the same folder the desktop app uses, so the CLI, the server and the app
 * see the same workspaces. Electron's `app.getPath('userData')` is `<appData>/<productName>`, where appData
 * is ~/Library/Application Support on macOS and $XDG_CONFIG_HOME (else ~/.config) on Linux.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Tidepool';

export function defaultDataDir(
  platform: string = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(configHome, PRODUCT_NAME);
}
