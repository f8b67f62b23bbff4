/** Opens a URL in the user's browser when there is a screen to show it on; says so when it cannot. */
import { spawn } from 'node:child_process';

export function hasDisplay(platform: string = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Resolves true when an opener was started. */
export function openInBrowser(url: string, platform: string = process.platform): Promise<boolean> {
  if (!hasDisplay(platform)) return Promise.resolve(false);
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
