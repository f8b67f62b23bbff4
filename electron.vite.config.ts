/**
 * Builds the desktop app into out/: main (ESM, dependencies left to node_modules), the preload (one
 * self-contained CommonJS file: a sandboxed preload can neither load ES modules nor require packages), and
 * the renderer (the same entry `vite.renderer.config.ts` builds for the browser). Needs no Electron binary.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: here('./out/main'),
      externalizeDeps: true,
      rollupOptions: {
        input: { index: here('./src-main/electron/main.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      // Bundled in: the contract (and zod with it) is how the preload knows which channels exist.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: here('./src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: here('./src-renderer'),
    base: './',
    oxc: { jsx: { runtime: 'automatic' } },
    build: {
      outDir: here('./out/renderer'),
      target: 'es2023',
      sourcemap: true,
      rollupOptions: { input: { index: here('./src-renderer/index.html') } },
    },
  },
});
