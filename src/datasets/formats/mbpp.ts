/**
 * MBPP (Austin et al., 2021, "Program Synthesis with Large Language Models", arXiv 2108.07732), as
 * google-research publishes it: `mbpp.jsonl` (task_id, text, code, test_setup_code, test_list,
 * challenge_test_list) and the hand-verified `sanitized-mbpp.json` (task_id, prompt, code,
 * test_imports, test_list).
 *
 * The model sees MBPP's usual framing, the paper's prompt with one test assertion so that it
 * learns the function's name and argument order (google-research/mbpp/README.md):
 * "You are an expert Python programmer, and here is your task: {text} Your code should pass these
 * tests:\n\n{first test}".
 *
 * Orders that make the references pass: full = code, then test_setup_code, then the asserts
 * (tasks 367 and 927 set up with a class their code defines); sanitized = test_imports + code, then
 * the asserts. `challenge_test_list` is not graded (almost always empty; not part of MBPP's
 * reported numbers).
 */
import type { Task } from '../../core/types';
import { RecordError } from '../errors';
import {
  entryPointFromTests,
  idField,
  signatureOf,
  str,
  strList,
  titleFrom,
  type BuildContext,
  type TaskFormat,
} from './common';

export const MBPP_LICENSE = 'CC-BY-4.0';

export function mbppPrompt(text: string, firstTest: string): string {
  return `You are an expert Python programmer, and here is your task: ${text.trim()} Your code should pass these tests:\n\n${firstTest.trim()}`;
}

function build(
  ctx: BuildContext,
  f: {
    sourceId: string;
    text: string;
    code: string;
    setup: string;
    tests: string[];
    sanitized: boolean;
    imports: string;
  },
): Task {
  const entryPoint = entryPointFromTests(f.code, f.tests);
  if (!entryPoint)
    throw new RecordError(ctx.at, 'test_list', 'no function call found in the first assertion');
  const reference = f.imports ? `${f.imports}\n${f.code}` : f.code;
  return {
    id: `${ctx.datasetId}/${f.sourceId}`,
    datasetId: ctx.datasetId,
    sourceId: f.sourceId,
    title: titleFrom(f.text),
    prompt: mbppPrompt(f.text, f.tests[0] as string),
    style: 'function',
    completionStyle: false,
    entryPoint,
    signature: signatureOf(f.code, entryPoint),
    tests: { kind: 'asserts', setup: f.setup, asserts: f.tests },
    reference,
    tags: f.sanitized ? ['mbpp', 'sanitized'] : ['mbpp'],
    origin: { kind: 'real' },
    source: {
      dataset: f.sanitized ? 'MBPP (sanitized)' : 'MBPP',
      license: MBPP_LICENSE,
      ...(ctx.url ? { url: ctx.url } : {}),
    },
  };
}

export const mbpp: TaskFormat = {
  id: 'mbpp',
  label: 'MBPP full (mbpp.jsonl)',
  defaultName: 'MBPP',
  license: MBPP_LICENSE,
  looksLike: (r) => 'text' in r && 'code' in r && 'test_list' in r,
  toTask(r, ctx) {
    const { at } = ctx;
    const tests = strList(r, at, 'test_list');
    return build(ctx, {
      sourceId: idField(r, at, 'task_id'),
      text: str(r, at, 'text'),
      code: str(r, at, 'code'),
      setup: str(r, at, 'test_setup_code', { allowEmpty: true }),
      tests,
      sanitized: false,
      imports: '',
    });
  },
};

export const mbppSanitized: TaskFormat = {
  id: 'mbpp-sanitized',
  label: 'MBPP sanitized (sanitized-mbpp.json)',
  defaultName: 'MBPP (sanitized)',
  license: MBPP_LICENSE,
  looksLike: (r) =>
    'prompt' in r && 'code' in r && 'test_list' in r && 'test_imports' in r && !('base_input' in r),
  toTask(r, ctx) {
    const { at } = ctx;
    const imports = strList(r, at, 'test_imports', { allowEmpty: true }).join('\n');
    return build(ctx, {
      sourceId: idField(r, at, 'task_id'),
      text: str(r, at, 'prompt'),
      code: str(r, at, 'code'),
      setup: imports,
      tests: strList(r, at, 'test_list'),
      sanitized: true,
      imports,
    });
  },
};
