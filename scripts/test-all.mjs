#!/usr/bin/env node
// `npm test`: every suite in turn — unit + component (plain Node), integration (real Incus), end-to-end
// (Chromium). A suite whose prerequisites are missing says why and how to get them, then is skipped.
// Ends with one line `tests: N passed, N failed, N skipped` over all suites.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = process.getuid?.() === 0;
const unprivileged = process.env.TIDEPOOL_UNPRIVILEGED_USER;
const totals = { passed: 0, failed: 0, skipped: 0 };
const outcomes = [];

/** A folder the unprivileged user can read: the checkout itself, or a copy when its parents are closed (e.g. /root). */
function readableCheckout(user) {
  if (spawnSync('runuser', ['-u', user, '--', 'test', '-r', join(process.cwd(), 'package.json')]).status === 0) return process.cwd();
  const copy = mkdtempSync(join(tmpdir(), 'tidepool-unit-'));
  spawnSync('cp', ['-a', '.', copy], { stdio: 'inherit' });
  spawnSync('chown', ['-R', user, copy]);
  return copy;
}

function vitest(name, projects, { asUser } = {}) {
  const cwd = asUser ? readableCheckout(asUser) : process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'tidepool-results-'));
  const out = join(dir, 'results.json');
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json', `--outputFile.json=${out}`];
  const command = asUser ? 'runuser' : 'npx';
  const argv = asUser ? ['-u', asUser, '--', 'npx', ...args] : args;
  if (asUser) spawnSync('chmod', ['777', dir]);
  console.log(`\n=== ${name}${asUser ? ` (as unprivileged user ${asUser})` : ''} ===`);
  const run = spawnSync(command, argv, { stdio: 'inherit', cwd });
  let counts = { passed: 0, failed: run.status === 0 ? 0 : 1, skipped: 0 };
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    counts = {
      passed: report.numPassedTests,
      failed: report.numFailedTests + (run.status !== 0 && report.numFailedTests === 0 ? 1 : 0),
      skipped: report.numPendingTests + report.numTodoTests,
    };
  }
  rmSync(dir, { recursive: true, force: true });
  if (cwd !== process.cwd()) rmSync(cwd, { recursive: true, force: true });
  record(name, counts, run.status === 0);
}

function record(name, counts, ok) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  outcomes.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}

function skip(name, why) {
  console.log(`\n=== ${name} ===\nSKIPPED: ${why}`);
  outcomes.push(`skip ${name}: ${why}`);
}

vitest('unit + component', ['unit', 'component'], { asUser: isRoot && unprivileged ? unprivileged : undefined });

const incusSocket = process.env.INCUS_SOCKET ?? '/var/lib/incus/unix.socket';
if (process.platform !== 'linux') skip('integration (Incus)', 'needs Linux with Incus; on macOS the Tart runtime is covered by the unit suite against a fake tart.');
else if (!isRoot) skip('integration (Incus)', 'needs root to reach the Incus socket and create network namespaces: run `sudo npm run test:integration`.');
else if (!existsSync(incusSocket)) skip('integration (Incus)', `no Incus socket at ${incusSocket}: run \`sudo scripts/setup-incus.sh\` first.`);
else vitest('integration (Incus)', ['integration']);

console.log('\n=== end-to-end (Chromium) ===');
const e2e = spawnSync('node', ['scripts/e2e.mjs'], { stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' });
process.stdout.write(e2e.stdout ?? '');
const summary = [...(e2e.stdout ?? '').matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].at(-1);
if (summary) {
  record('end-to-end', { passed: Number(summary[1]), failed: Number(summary[2]), skipped: Number(summary[3] ?? 0) }, e2e.status === 0);
} else {
  record('end-to-end', { passed: 0, failed: e2e.status === 0 ? 0 : 1, skipped: 0 }, e2e.status === 0);
}

console.log('\n=== summary ===');
for (const line of outcomes) console.log(line);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
