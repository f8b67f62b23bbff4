/** The Tidepool checkout or package this CLI runs from (dist/cli.mjs and src-main/cli/*.ts both live in it). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tidepool') return dir;
      } catch {
        // Not ours; keep climbing.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find Tidepool's package.json above ${from}.`);
    dir = parent;
  }
}

export function rendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}
