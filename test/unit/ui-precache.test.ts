/** The build's offline file list (scripts/precache-manifest.ts). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../scripts/precache-manifest';

function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-precache-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('precache manifest', () => {
  it('lists the shell, assets and Pyodide, not maps, models or the worker itself', () => {
    const dir = site({
      'index.html': '<html>',
      'assets/index-abc.js': 'js',
      'assets/index-abc.js.map': '{}',
      'pyodide/pyodide.asm.wasm': 'wasm',
      'models/tiny.gguf': 'gguf',
      'sw.js': 'sw',
      'precache-manifest.json': '{}',
    });
    const m = buildManifest(dir);
    expect(m.files).toEqual(['assets/index-abc.js', 'index.html', 'pyodide/pyodide.asm.wasm']);
    expect(m.bytes).toBe('js'.length + '<html>'.length + 'wasm'.length);
  });

  it('changes its version when any listed file changes, and only then', () => {
    const a = buildManifest(site({ 'index.html': 'one', 'x.js.map': 'a' }));
    const b = buildManifest(site({ 'index.html': 'one', 'x.js.map': 'b' }));
    const c = buildManifest(site({ 'index.html': 'two', 'x.js.map': 'a' }));
    expect(a.version).toBe(b.version);
    expect(a.version).not.toBe(c.version);
  });
});
