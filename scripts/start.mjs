#!/usr/bin/env node
// `npm start`: build what is missing or older than its sources, then open Tidepool. In a window (Electron) when there is an Electron
// binary and a display; otherwise as `tidepool serve` in the browser, saying why. Extra arguments go to
// `tidepool serve` (e.g. `npm start -- --port 8080`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = (...parts) => join(root, ...parts);
const platform = process.platform;

/** The Electron binary, found the way node_modules/electron/index.js finds it, without loading it (that would try to download it). */
function electronBinary() {
  const pathFile = here('node_modules', 'electron', 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name || 'electron');
    return existsSync(candidate) ? candidate : null;
  }
  if (!name) return null;
  const candidate = here('node_modules', 'electron', 'dist', name);
  return existsSync(candidate) ? candidate : null;
}

function hasDisplay() {
  return platform === 'darwin' || platform === 'win32' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** True when `output` is missing or older than any file under the source folders (e.g. after a git pull). */
function stale(output, sources) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  const newer = (dir) =>
    existsSync(dir) &&
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newer(path) : statSync(path).mtimeMs > built;
    });
  return sources.some((source) => newer(here(source)));
}

function run(command, args, what) {
  console.log(`Building ${what}…`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`Building ${what} failed (\`${[command, ...args].join(' ')}\`); see the output above.`);
    process.exit(result.status ?? 1);
  }
}

/** One line saying how to set up a runtime when none seems to be there (the app's onboarding says more). */
function runtimeHint() {
  if (platform === 'darwin') {
    if (spawnSync('tart', ['--version'], { stdio: 'ignore' }).error) console.log('No runtime yet: install Tart with `brew install openai/tools/tart`.');
  } else if (platform === 'linux') {
    const socket = process.env.INCUS_SOCKET ?? '/var/lib/incus/unix.socket';
    if (!existsSync(socket)) console.log('No runtime yet: set up Incus with `sudo scripts/setup-incus.sh`.');
  }
}

/** Runs a child with this terminal, passes Ctrl-C on, and exits with its status. */
function handOver(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const electron = electronBinary();
const display = hasDisplay();

if (electron && display) {
  if (stale(here('out', 'main', 'index.js'), ['src-main', 'src-shared', 'src-renderer'])) run('npm', ['run', 'build'], 'the app');
  runtimeHint();
  handOver(electron, [root]);
} else {
  if (stale(here('out', 'renderer', 'index.html'), ['src-renderer', 'src-shared'])) run('npm', ['run', 'build:renderer'], 'the web interface');
  if (stale(here('dist', 'cli.mjs'), ['src-main', 'src-shared'])) run(process.execPath, [here('scripts', 'build-cli.mjs')], 'the tidepool command');
  const why = !electron
    ? 'the Electron binary is not installed here (node_modules/electron/dist)'
    : 'there is no display to open a window on (no $DISPLAY or $WAYLAND_DISPLAY)';
  console.log(`Tidepool opens in your browser instead of a window, because ${why}.`);
  handOver(process.execPath, [here('bin', 'tidepool.js'), 'serve', ...(display ? ['--open'] : []), ...process.argv.slice(2)]);
}
