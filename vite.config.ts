import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

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
  plugins: [svelte()],
  base: './',
  server: { host: '127.0.0.1', headers: isolationHeaders },
  preview: { host: '127.0.0.1', port: 4173, headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['pyodide', '@mlc-ai/web-llm', '@wllama/wllama'] },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 8000 },
});
