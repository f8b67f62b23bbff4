#!/usr/bin/env node
// TEST DOUBLE of `sudo`, for Tidepool's Softnet set-up check (`sudo --non-interactive softnet --help`, the
// same probe Tart makes). It runs nothing: it answers from $TART_HOME/fake-control.json, where
// softnet: "needs-root" means no passwordless sudo rule for Softnet exists.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
let control = {};
try {
  control = JSON.parse(readFileSync(join(process.env.TART_HOME || join(homedir(), '.tart'), 'fake-control.json'), 'utf8'));
} catch {
  // No control file: passwordless sudo works.
}
const nonInteractive = args[0] === '-n' || args[0] === '--non-interactive';
if (!nonInteractive || args[1] !== 'softnet') {
  process.stderr.write(`fake sudo only answers the Softnet probe, not: ${args.join(' ')}\n`);
  process.exit(1);
}
if (control.softnet === 'needs-root') {
  process.stderr.write('sudo: a password is required\n');
  process.exit(1);
}
