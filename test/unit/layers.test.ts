import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

const fixtures = join(repoRoot, 'test/fixtures/layers/src');

async function layerErrors(files: string[]): Promise<Map<string, string[]>> {
  const eslint = new ESLint({ cwd: repoRoot, ignore: false });
  const results = await eslint.lintFiles(files);
  const out = new Map<string, string[]>();
  for (const r of results) {
    out.set(
      relative(fixtures, r.filePath),
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
    );
  }
  return out;
}

// ESLint over the whole of src/ takes seconds on a loaded two-core machine.
describe('layer lint rule', { timeout: 60_000 }, () => {
  it('fires on every deliberate violation in the fixture tree and only there', async () => {
    const files = readdirSync(fixtures, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
    const errors = await layerErrors(files);
    expect(errors.get('core/imports-store.ts')?.[0]).toMatch(/`core` may import only nothing else/);
    expect(errors.get('optimizers/imports-engine.ts')?.[0]).toMatch(
      /`optimizers` may import only `core`/,
    );
    expect(errors.get('store/imports-ui.ts')?.[0]).toMatch(/`store` may import only `core`/);
    expect(errors.get('runner/imports-executor.ts')?.[0]).toMatch(/`runner` may import only/);
    expect(errors.get('ui/imports-optimizer-internals.ts')?.[0]).toMatch(
      /only through optimizers\/registry/,
    );
    expect(errors.get('app/imports-ui.ts')?.[0]).toMatch(/`app` must not import `ui`/);
    expect(errors.get('ui/imports-registry.ts')).toEqual([]);
    expect(errors.get('optimizers/imports-core.ts')).toEqual([]);
  });

  it('passes on src/', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const results = await eslint.lintFiles(['src']);
    const violations = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'no-restricted-imports')
        .map((m) => `${relative(repoRoot, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(violations).toEqual([]);
  });
});
