/** The desktop app under Playwright's `_electron`: where the Electron binary is, and building the app first. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Found the way node_modules/electron/index.js finds it, without importing it (that would try to download it). */
export function electronBinary(): string | null {
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(ROOT, 'node_modules', 'electron', 'dist');
  if (!name && !process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const candidate = join(dist, name ?? 'electron');
  return existsSync(candidate) ? candidate : null;
}

export function electronMissing(): string | null {
  if (!electronBinary()) {
    return (
      'the Electron binary is not installed here (node_modules/electron has no dist/; since Electron 42 nothing ' +
      'downloads it at install time). On a Mac run `npx install-electron` once, then `npm run e2e -- electron`.'
    );
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display for an Electron window (no $DISPLAY or $WAYLAND_DISPLAY); run it under xvfb-run.';
  }
  return null;
}

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );
}

/** Runs `electron-vite build` when out/ is missing or older than the sources. */
export function buildAppIfStale(): void {
  const outputs = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((file) => join(ROOT, file));
  const built = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const sources = Math.max(...['src-main', 'src-shared', 'src-renderer'].map((dir) => newest(join(ROOT, dir))));
  if (built >= sources) return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('`npx electron-vite build` failed; see the output above.');
}
