import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precacheManifest } from './scripts/precache-manifest';
import { pyodideAssets } from './scripts/pyodide-assets';

/**
 * Cross-origin isolation (SharedArrayBuffer, Pyodide's interrupt buffer, wllama threads) needs
 * these two headers on every response. `credentialless` rather than `require-corp` so that model
 * files from other origins (Hugging Face, a classroom's static host) load without those hosts
 * having to send Cross-Origin-Resource-Policy; see docs/cross-origin-isolation.md.
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

export default defineConfig({
  // precacheManifest lists the built files for the service worker's offline cache (public/sw.js).
  // pyodideAssets serves / copies Pyodide's runtime files at <base>pyodide/ (our own origin).
  plugins: [svelte(), pyodideAssets(), precacheManifest()],
  base: './',
  server: { host: '127.0.0.1', headers: isolationHeaders },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['pyodide', '@mlc-ai/web-llm', '@wllama/wllama'] },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 8000 },
});
