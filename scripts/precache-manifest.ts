/**
 * A Vite plugin that lists every file of the built site (app shell, hashed assets and the Pyodide
 * files the executor copies in) in `precache-manifest.json`, with a version that changes when any
 * file does. The service worker (public/sw.js) downloads that list after the first visit, so the
 * app then starts with no network. It walks the output folder after every other plugin has
 * written, so files copied by other plugins are included however they got there.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

export const PRECACHE_MANIFEST = 'precache-manifest.json';

/** Models are cached by their engines (OPFS / Cache Storage), and source maps only help a debugger. */
const SKIP = [/\.map$/, /\.gguf$/i, /^models\//, /^sw\.js$/, new RegExp(`^${PRECACHE_MANIFEST}$`)];
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}

export interface PrecacheManifest {
  version: string;
  /** Paths relative to the site root, with `/` separators. */
  files: string[];
  bytes: number;
}

export function buildManifest(outDir: string): PrecacheManifest {
  const hash = createHash('sha256');
  const files: string[] = [];
  let bytes = 0;
  for (const full of walk(outDir).sort()) {
    const rel = relative(outDir, full).split(sep).join('/');
    const size = statSync(full).size;
    if (SKIP.some((re) => re.test(rel)) || size > MAX_FILE_BYTES) continue;
    files.push(rel);
    bytes += size;
    hash.update(rel).update('\0').update(readFileSync(full));
  }
  return { version: hash.digest('hex').slice(0, 16), files, bytes };
}

export function precacheManifest(): Plugin {
  let outDir = 'dist';
  return {
    name: 'athanor-precache-manifest',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        const manifest = buildManifest(outDir);
        writeFileSync(join(outDir, PRECACHE_MANIFEST), JSON.stringify(manifest));
      },
    },
  };
}
