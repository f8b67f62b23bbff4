/** Incus image endpoints, and which `tidepool/<version>` image is current (images/recipe/versions.env). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageInfo } from '../../../src-shared/workspace.js';
import type { IncusClient } from './incus-client.js';

export const IMAGE_ALIAS_PREFIX = 'tidepool/';

/** The repository's images/ folder (the recipe and the bake scripts). */
export const DEFAULT_IMAGES_DIR = fileURLToPath(new URL('../../../images', import.meta.url));

export interface IncusImageAlias {
  name: string;
  target: string;
  description: string;
  type: string;
}

export interface IncusImage {
  fingerprint: string;
  size: number;
  created_at: string;
  uploaded_at: string;
  type: string;
  properties: Record<string, string>;
  aliases: { name: string }[];
}

export async function getImageAliases(client: IncusClient): Promise<IncusImageAlias[]> {
  return (await client.query<IncusImageAlias[]>('GET', '/1.0/images/aliases?recursion=1', { action: 'list images' })).metadata;
}

export async function getImage(client: IncusClient, fingerprint: string): Promise<IncusImage> {
  return (await client.query<IncusImage>('GET', `/1.0/images/${encodeURIComponent(fingerprint)}`, { action: `read the image ${fingerprint.slice(0, 12)}` })).metadata;
}

/** TIDEPOOL_IMAGE_VERSION from versions.env: the image new workspaces use is `tidepool/<it>`. */
export function readImageVersion(imagesDir = DEFAULT_IMAGES_DIR): string {
  const text = readFileSync(join(imagesDir, 'recipe', 'versions.env'), 'utf8');
  const match = /^TIDEPOOL_IMAGE_VERSION=["']?([^"'\s]+)/m.exec(text);
  if (!match?.[1]) throw new Error(`TIDEPOOL_IMAGE_VERSION is not set in ${join(imagesDir, 'recipe', 'versions.env')}`);
  return match[1];
}

/** Every `tidepool/*` image on the server, newest first. */
export async function listTidepoolImages(client: IncusClient, currentVersion: string): Promise<ImageInfo[]> {
  const aliases = (await getImageAliases(client)).filter((alias) => alias.name.startsWith(IMAGE_ALIAS_PREFIX));
  const images = await Promise.all(
    aliases.map(async (alias): Promise<ImageInfo> => {
      const image = await getImage(client, alias.target).catch(() => null);
      const version = alias.name.slice(IMAGE_ALIAS_PREFIX.length);
      return {
        runtime: 'incus',
        ref: alias.name,
        version,
        current: version === currentVersion,
        sizeBytes: image?.size ?? null,
        createdAt: image?.created_at ?? null,
      };
    }),
  );
  return images.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}
