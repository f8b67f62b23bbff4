#!/usr/bin/env node
// Bundles the `tidepool` CLI (src-main/cli/main.ts) into dist/cli.mjs for plain Node. npm packages stay
// external: they are loaded from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: ['src-main/cli/main.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`dist/cli.mjs built in ${Date.now() - started} ms`);
