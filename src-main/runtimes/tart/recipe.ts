/**
 * The shared image recipe in `images/recipe/` as the Tart bake uses it: the pinned versions
 * (versions.env), the files to upload into the build VM, and a hash that changes whenever any of them does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TidepoolError } from '../../../src-shared/errors.js';

/** Used only when versions.env has no TART_BASE_IMAGE: Tart's published Debian 13 image. */
export const FALLBACK_BASE_IMAGE = 'ghcr.io/cirruslabs/debian:trixie';
/** Used only when the recipe is not shipped with this build (then no image can be baked either). */
export const FALLBACK_IMAGE_VERSION = '0.1.0';
export const IMAGE_PREFIX = 'tidepool-';

export interface ImageRecipe {
  dir: string;
  imageVersion: string;
  baseImage: string;
  /** Recipe files (relative names) to upload, docs excluded. */
  files: string[];
  hash: string;
}

export function parseVersionsEnv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    values[match[1]!] = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** `images/` of this checkout or installation: TIDEPOOL_IMAGES_DIR, the app's resources, or up from here. */
export function findImagesDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates: string[] = [];
  if (env.TIDEPOOL_IMAGES_DIR) candidates.push(env.TIDEPOOL_IMAGES_DIR);
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(join(resources, 'images'));
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    candidates.push(join(folder, 'images'));
    folder = dirname(folder);
  }
  return candidates.map((candidate) => resolve(candidate)).find((candidate) => existsSync(join(candidate, 'recipe', 'versions.env'))) ?? null;
}

export function loadRecipe(imagesDir: string | null): ImageRecipe {
  const dir = imagesDir ? join(imagesDir, 'recipe') : null;
  if (!dir || !existsSync(join(dir, 'versions.env'))) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: "This Tidepool does not include the image recipe (images/recipe), so it cannot build the workspace image.",
      hint: 'Set TIDEPOOL_IMAGES_DIR to the images folder of a Tidepool checkout, or reinstall Tidepool.',
    });
  }
  const versions = parseVersionsEnv(readFileSync(join(dir, 'versions.env'), 'utf8'));
  const files = readdirSync(dir)
    .filter((name) => !name.endsWith('.md') && statSync(join(dir, name)).isFile())
    .sort();
  const baseImage = versions.TART_BASE_IMAGE || FALLBACK_BASE_IMAGE;
  const hash = createHash('sha256');
  for (const name of files) {
    hash.update(`${name}\0${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')}\n`);
  }
  hash.update(`base=${baseImage}\n`);
  return { dir, imageVersion: versions.TIDEPOOL_IMAGE_VERSION || FALLBACK_IMAGE_VERSION, baseImage, files, hash: hash.digest('hex') };
}

/** The image version without failing: the recipe's when shipped, else the fallback. */
export function imageVersionOf(imagesDir: string | null): string {
  try {
    return loadRecipe(imagesDir).imageVersion;
  } catch {
    return FALLBACK_IMAGE_VERSION;
  }
}
