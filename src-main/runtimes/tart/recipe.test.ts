import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImagesDir } from './fake-tart/fake-tart-home.js';
import { findImagesDir, loadRecipe, parseVersionsEnv } from './recipe.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the image recipe for the Tart bake', () => {
  it('reads versions.env', () => {
    expect(parseVersionsEnv('# comment\nTIDEPOOL_IMAGE_VERSION=0.2.0\nTART_BASE_IMAGE="ghcr.io/cirruslabs/debian:trixie"\n')).toEqual({
      TIDEPOOL_IMAGE_VERSION: '0.2.0',
      TART_BASE_IMAGE: 'ghcr.io/cirruslabs/debian:trixie',
    });
  });

  it('uploads every recipe file but the docs, and hashes what it uploads', () => {
    const images = makeImagesDir('0.3.0', 'ghcr.io/cirruslabs/debian@sha256:abc');
    made.push(images);
    const recipe = loadRecipe(images);
    expect(recipe).toMatchObject({ imageVersion: '0.3.0', baseImage: 'ghcr.io/cirruslabs/debian@sha256:abc', files: ['provision.sh', 'versions.env'] });
    writeFileSync(join(images, 'recipe', 'README.md'), 'docs change nothing\n');
    expect(loadRecipe(images).hash).toBe(recipe.hash);
    writeFileSync(join(images, 'recipe', 'provision.sh'), '#!/usr/bin/env bash\necho changed\n');
    expect(loadRecipe(images).hash).not.toBe(recipe.hash);
  });

  it('says what to do when the recipe is not shipped', () => {
    expect(() => loadRecipe(null)).toThrow('does not include the image recipe');
  });

  it("finds this checkout's images folder", () => {
    const found = findImagesDir({});
    expect(found).not.toBeNull();
    expect(loadRecipe(found).imageVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
});
