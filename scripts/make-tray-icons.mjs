#!/usr/bin/env node
/**
 * Draws the menu-bar (tray) icons into assets/: macOS template images, black plus alpha, 16×16 and
 * 32×32 (@2x, 144 dpi), one per state. The names must end in `Template` for macOS to tint them for light
 * and dark menu bars. Shapes are signed-distance functions sampled 8×8 per pixel for smooth edges, so the
 * script needs nothing but Node. Run: node scripts/make-tray-icons.mjs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const SAMPLES = 8;

// Shapes on a 16-unit canvas; a point is inside where the distance is <= 0.
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx, cy, r, width) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
/** A horizontal sine stroke: the water line of the pool. */
const wave = (y0, amplitude, period, width, x0, x1) => (x, y) => {
  if (x < x0 || x > x1) return Infinity;
  const slope = (amplitude * 2 * Math.PI) / period;
  const dy = y - (y0 + amplitude * Math.sin(((x - x0) * 2 * Math.PI) / period));
  return Math.abs(dy) / Math.sqrt(1 + slope * slope * 0.5) - width / 2;
};
const union = (...shapes) => (x, y) => Math.min(...shapes.map((shape) => shape(x, y)));
const subtract = (shape, hole) => (x, y) => Math.max(shape(x, y), -hole(x, y));

const water = wave(8.6, 1.1, 5.5, 1.6, 3, 13);
const STATES = {
  // Idle: the outline of a pool with a water line.
  tray: union(ring(8, 8, 6.4, 1.5), water),
  // Running: a filled pool, the water line cut out of it.
  trayRunning: subtract(circle(8, 8, 7.1), water),
  // Failing: the idle pool with a solid badge bottom-right, a clear gap around it.
  trayFailing: union(subtract(union(ring(8, 8, 6.4, 1.5), water), circle(12.6, 12.6, 4.3)), circle(12.6, 12.6, 3.1)),
};

function render(shape, size) {
  const scale = 16 / size;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) * scale;
          const y = (py + (sy + 0.5) / SAMPLES) * scale;
          if (shape(x, y) <= 0) covered++;
        }
      }
      // Black everywhere; only alpha carries the shape (what a template image is).
      pixels[(py * size + px) * 4 + 3] = Math.round((covered / (SAMPLES * SAMPLES)) * 255);
    }
  }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(pixels, size, dpi) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const physical = Buffer.alloc(9);
  const perMetre = Math.round(dpi / 0.0254);
  physical.writeUInt32BE(perMetre, 0);
  physical.writeUInt32BE(perMetre, 4);
  physical[8] = 1; // unit: metre
  const rows = [];
  for (let y = 0; y < size; y++) rows.push(Buffer.from([0]), pixels.subarray(y * size * 4, (y + 1) * size * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('pHYs', physical),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const [name, shape] of Object.entries(STATES)) {
  for (const [suffix, size, dpi] of [['', 16, 72], ['@2x', 32, 144]]) {
    const file = join(OUT, `${name}Template${suffix}.png`);
    writeFileSync(file, png(render(shape, size), size, dpi));
    console.log(`wrote ${file}`);
  }
}
