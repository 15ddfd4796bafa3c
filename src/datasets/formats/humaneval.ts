/**
 * HumanEval (Chen et al., 2021, "Evaluating Large Language Models Trained on Code",
 * arXiv 2107.03374), as openai/human-eval publishes `HumanEval.jsonl(.gz)`: task_id, prompt,
 * entry_point, canonical_solution, test. The prompt is code the model continues; the official
 * harness runs `prompt + completion + test + check(entry_point)`.
 */
import type { Task } from '../../core/types';
import { RecordError } from '../errors';
import { signatureOf, str, type TaskFormat } from './common';

export const humaneval: TaskFormat = {
  id: 'humaneval',
  label: 'HumanEval (.jsonl / .jsonl.gz)',
  defaultName: 'HumanEval',
  license: 'MIT',
  looksLike: (r) =>
    typeof r.task_id === 'string' &&
    'canonical_solution' in r &&
    'entry_point' in r &&
    'test' in r &&
    !('base_input' in r),
  toTask(r, ctx): Task {
    const { at } = ctx;
    const sourceId = str(r, at, 'task_id');
    const prompt = str(r, at, 'prompt');
    const entryPoint = str(r, at, 'entry_point');
    const solution = str(r, at, 'canonical_solution');
    const test = str(r, at, 'test');
    if (!/\bdef\s+check\s*\(/.test(test))
      throw new RecordError(at, 'test', 'does not define `check(candidate)`');
    if (!new RegExp(`\\bdef\\s+${entryPoint}\\s*\\(`).test(prompt)) {
      throw new RecordError(at, 'entry_point', `\`${entryPoint}\` is not defined in \`prompt\``);
    }
    return {
      id: `${ctx.datasetId}/${sourceId}`,
      datasetId: ctx.datasetId,
      sourceId,
      title: entryPoint,
      prompt,
      style: 'function',
      completionStyle: true,
      entryPoint,
      signature: signatureOf(prompt, entryPoint),
      tests: { kind: 'check', source: test, entryPoint },
      reference: prompt + solution,
      tags: ['humaneval'],
      origin: { kind: 'real' },
      source: { dataset: 'HumanEval', license: 'MIT', ...(ctx.url ? { url: ctx.url } : {}) },
    };
  },
};
