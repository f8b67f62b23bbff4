/**
 * Where the built pieces are, relative to the main bundle (out/main/index.js): the preload and the UI
 * sit beside it in out/; the tray icons ship with the app under assets/.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';

const outDir = fileURLToPath(new URL('..', import.meta.url));

export const PRELOAD_PATH = join(outDir, 'preload', 'index.cjs');
export const RENDERER_DIR = join(outDir, 'renderer');

export function assetsDir(): string {
  return join(app.getAppPath(), 'assets');
}
