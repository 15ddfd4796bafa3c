/**
 * A Vite plugin that serves Pyodide's runtime files from the app's own origin: in dev from
 * node_modules/pyodide at `/pyodide/`, and in a build copied to `<outDir>/pyodide/`. Never a CDN,
 * and never committed (the files come from the npm package at build time).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** What loadPyodide fetches for the core interpreter (no extra packages). */
export const PYODIDE_FILES = [
  'pyodide.mjs',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
] as const;
export const PYODIDE_DIR = 'pyodide';

const MIME: Record<string, string> = {
  mjs: 'text/javascript; charset=utf-8',
  wasm: 'application/wasm',
  zip: 'application/zip',
  json: 'application/json; charset=utf-8',
};

function pyodideRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide'));
}

export function pyodideAssets(): Plugin {
  const root = pyodideRoot();
  return {
    name: 'athanor-pyodide-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const m = /\/pyodide\/([^/]+)$/.exec(path);
        const file = m?.[1];
        if (!file || !(PYODIDE_FILES as readonly string[]).includes(file)) {
          next();
          return;
        }
        const full = join(root, file);
        res.setHeader(
          'Content-Type',
          MIME[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
        );
        res.setHeader('Content-Length', String(statSync(full).size));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(full).pipe(res);
      });
    },
    generateBundle() {
      for (const file of PYODIDE_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `${PYODIDE_DIR}/${file}`,
          source: readFileSync(join(root, file)),
        });
      }
    },
  };
}
