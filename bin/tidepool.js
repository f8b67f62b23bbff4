#!/usr/bin/env node
// The `tidepool` command. Runs the bundled CLI (dist/cli.mjs, made by `node scripts/build-cli.mjs`); in a
// development checkout without a build it runs the TypeScript source through tsx instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(fileURLToPath(bundle))) {
  await import(bundle.href);
} else {
  const source = new URL('../src-main/cli/main.ts', import.meta.url);
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('tidepool is not built: run `node scripts/build-cli.mjs` (or `npm install` for the development tools).\n');
    process.exit(1);
  }
  register();
  await import(source.href);
}
