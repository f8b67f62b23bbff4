#!/usr/bin/env node
// `npm run e2e`: end-to-end flows in Chromium against `tidepool serve` (e2e/*.e2e.ts). Builds the web
// interface first when it is missing or older than its sources. Arguments pick flows by file name.
// Ends with `e2e: N passed, N failed, N skipped`; screenshots go to e2e/artifacts/ (and, with
// TIDEPOOL_E2E_DOCS=1, the key ones to docs/screenshots/). TIDEPOOL_E2E_RUNTIMES=simulated runs one flow.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestUnder(dir) {
  if (!existsSync(dir)) return 0;
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs;
    }),
  );
}

const index = join(root, 'out', 'renderer', 'index.html');
const built = existsSync(index) ? statSync(index).mtimeMs : 0;
if (built < Math.max(newestUnder(join(root, 'src-renderer')), newestUnder(join(root, 'src-shared')))) {
  console.log('Building the web interface for the browser tests…');
  const build = spawnSync('npm', ['run', 'build:renderer'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    console.log('e2e: 0 passed, 1 failed, 0 skipped (the web interface did not build: npm run build:renderer)');
    process.exit(1);
  }
}

const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'e2e', 'run.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
