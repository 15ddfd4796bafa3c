/**
 * APPS (Hendrycks et al., 2021, "Measuring Coding Challenge Competence With APPS",
 * arXiv 2105.09938), one JSON object per line as codeparrot/apps publishes `train.jsonl` /
 * `test.jsonl`: problem_id, question, solutions (a JSON string holding a list of programs),
 * input_output (a JSON string holding {inputs, outputs[, fn_name]}), difficulty, url, starter_code.
 *
 * Standard-input problems only: a record with `fn_name` is call-based and is reported as such.
 * The prompt follows the APPS paper's generation format ("QUESTION: … Use Standard Input format
 * ANSWER:"). Outputs are compared ignoring trailing whitespace differences, as APPS's own checker
 * tolerates them.
 */
import type { Difficulty, StdioCase, Task } from '../../core/types';
import { RecordError } from '../errors';
import { describe, idField, str, titleFrom, type TaskFormat } from './common';

const DIFFICULTY: Record<string, Difficulty> = {
  introductory: 'easy',
  interview: 'medium',
  competition: 'hard',
};

const asText = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : Array.isArray(v) && v.every((x) => typeof x === 'string')
      ? v.join('\n')
      : undefined;

function jsonString(
  r: Record<string, unknown>,
  at: Parameters<typeof str>[1],
  field: string,
): unknown {
  const v = r[field];
  if (v === undefined) throw new RecordError(at, field, 'missing');
  if (typeof v !== 'string') return v; // some mirrors store it already decoded
  if (v.trim() === '') throw new RecordError(at, field, 'is empty');
  try {
    return JSON.parse(v);
  } catch {
    throw new RecordError(at, field, 'is not valid JSON (APPS stores it as a JSON-encoded string)');
  }
}

export const apps: TaskFormat = {
  id: 'apps',
  label: 'APPS stdin/stdout (.jsonl)',
  defaultName: 'APPS',
  license: 'MIT',
  looksLike: (r) => 'question' in r && 'input_output' in r,
  toTask(r, ctx): Task {
    const { at } = ctx;
    const sourceId = idField(r, at, 'problem_id');
    const question = str(r, at, 'question');
    const io = jsonString(r, at, 'input_output');
    if (!io || typeof io !== 'object' || Array.isArray(io))
      throw new RecordError(at, 'input_output', `expected {inputs, outputs}, got ${describe(io)}`);
    const { inputs, outputs, fn_name } = io as Record<string, unknown>;
    if (fn_name !== undefined)
      throw new RecordError(
        at,
        'input_output.fn_name',
        'call-based APPS problems are not supported; only standard input/output ones',
      );
    if (!Array.isArray(inputs) || !Array.isArray(outputs))
      throw new RecordError(at, 'input_output', 'needs `inputs` and `outputs` lists');
    if (inputs.length !== outputs.length)
      throw new RecordError(
        at,
        'input_output',
        `${inputs.length} inputs but ${outputs.length} outputs`,
      );
    if (inputs.length === 0) throw new RecordError(at, 'input_output.inputs', 'is an empty list');
    const cases: StdioCase[] = inputs.map((inp, i) => {
      const stdin = asText(inp);
      const stdout = asText(outputs[i]);
      if (stdin === undefined)
        throw new RecordError(
          at,
          `input_output.inputs[${i}]`,
          `expected text, got ${describe(inp)}`,
        );
      if (stdout === undefined)
        throw new RecordError(
          at,
          `input_output.outputs[${i}]`,
          `expected text, got ${describe(outputs[i])}`,
        );
      return { stdin, stdout };
    });
    let reference: string | undefined;
    if (r.solutions !== undefined && r.solutions !== '') {
      const sols = jsonString(r, at, 'solutions');
      if (!Array.isArray(sols) || !sols.every((s) => typeof s === 'string'))
        throw new RecordError(at, 'solutions', 'expected a list of programs');
      reference = sols[0] as string | undefined;
    }
    const starter = typeof r.starter_code === 'string' ? r.starter_code : '';
    const difficulty = typeof r.difficulty === 'string' ? DIFFICULTY[r.difficulty] : undefined;
    const url = typeof r.url === 'string' ? r.url : ctx.url;
    return {
      id: `${ctx.datasetId}/${sourceId}`,
      datasetId: ctx.datasetId,
      sourceId,
      title: titleFrom(question),
      prompt: `\nQUESTION:\n${question}\n${starter}\nUse Standard Input format\nANSWER:\n`,
      style: 'stdio',
      completionStyle: false,
      tests: { kind: 'stdio', cases, compare: 'whitespace' },
      ...(reference !== undefined ? { reference } : {}),
      tags: ['apps'],
      ...(difficulty ? { difficulty } : {}),
      origin: { kind: 'real' },
      source: { dataset: 'APPS', license: 'MIT', ...(url ? { url } : {}) },
    };
  },
};
