/**
 * Athanor's own task format, for people writing their own tasks; documented in
 * docs/task-format.md (keep the two in step).
 */
import type { Difficulty, StdioCase, Task, TestSpec } from '../../core/types';
import { RecordError, type RecordLocation } from '../errors';
import {
  describe,
  idField,
  optStr,
  signatureOf,
  str,
  strList,
  titleFrom,
  type TaskFormat,
} from './common';

const DIFFICULTIES: Difficulty[] = ['easy', 'medium', 'hard'];

function tests(
  r: Record<string, unknown>,
  at: RecordLocation,
  entryPoint: string | undefined,
): TestSpec {
  if (r.asserts !== undefined) {
    return {
      kind: 'asserts',
      setup: optStr(r, at, 'setup') ?? '',
      asserts: strList(r, at, 'asserts'),
    };
  }
  const t = r.tests;
  if (t === undefined)
    throw new RecordError(at, 'tests', 'missing (give `asserts`, or `tests` with a `kind`)');
  if (!t || typeof t !== 'object' || Array.isArray(t))
    throw new RecordError(at, 'tests', `expected an object with a \`kind\`, got ${describe(t)}`);
  const spec = t as Record<string, unknown>;
  switch (spec.kind) {
    case 'asserts':
      return {
        kind: 'asserts',
        setup: optStr(spec, at, 'setup') ?? '',
        asserts: strList(spec, at, 'asserts').map(String),
      };
    case 'check': {
      const ep = optStr(spec, at, 'entryPoint') ?? entryPoint;
      if (!ep)
        throw new RecordError(
          at,
          'tests.entryPoint',
          'missing (or give `entry_point` on the task)',
        );
      return { kind: 'check', source: str(spec, at, 'source'), entryPoint: ep };
    }
    case 'io': {
      const ep = optStr(spec, at, 'entryPoint') ?? entryPoint;
      if (!ep)
        throw new RecordError(
          at,
          'tests.entryPoint',
          'missing (or give `entry_point` on the task)',
        );
      if (!Array.isArray(spec.cases) || spec.cases.length === 0)
        throw new RecordError(at, 'tests.cases', 'expected a non-empty list of {args, expected}');
      const cases = spec.cases.map((c: unknown, i) => {
        const cc = c as Record<string, unknown> | null;
        if (!cc || !Array.isArray(cc.args) || !('expected' in cc))
          throw new RecordError(at, `tests.cases[${i}]`, 'expected {args: [...], expected: ...}');
        return { args: cc.args as unknown[], expected: cc.expected };
      });
      const atol = spec.atol ?? 0;
      if (typeof atol !== 'number') throw new RecordError(at, 'tests.atol', 'expected a number');
      return { kind: 'io', entryPoint: ep, cases, atol };
    }
    case 'stdio': {
      if (!Array.isArray(spec.cases) || spec.cases.length === 0)
        throw new RecordError(at, 'tests.cases', 'expected a non-empty list of {stdin, stdout}');
      const cases: StdioCase[] = spec.cases.map((c: unknown, i) => {
        const cc = c as Record<string, unknown> | null;
        if (!cc || typeof cc.stdin !== 'string' || typeof cc.stdout !== 'string')
          throw new RecordError(at, `tests.cases[${i}]`, 'expected {stdin: "...", stdout: "..."}');
        return { stdin: cc.stdin, stdout: cc.stdout };
      });
      const compare = spec.compare ?? 'whitespace';
      if (compare !== 'exact' && compare !== 'whitespace')
        throw new RecordError(at, 'tests.compare', 'expected "exact" or "whitespace"');
      return { kind: 'stdio', cases, compare };
    }
    default:
      throw new RecordError(
        at,
        'tests.kind',
        `expected "asserts", "check", "io" or "stdio", got ${describe(spec.kind)}`,
      );
  }
}

export const athanor: TaskFormat = {
  id: 'athanor',
  label: 'Athanor task format (.json / .jsonl)',
  defaultName: 'My tasks',
  license: 'unspecified',
  looksLike: (r) => 'prompt' in r && ('asserts' in r || 'tests' in r) && 'id' in r,
  toTask(r, ctx): Task {
    const { at } = ctx;
    const sourceId = idField(r, at, 'id');
    const prompt = str(r, at, 'prompt');
    const entryPoint = optStr(r, at, 'entry_point');
    const spec = tests(r, at, entryPoint);
    const style = spec.kind === 'stdio' ? 'stdio' : 'function';
    const reference = optStr(r, at, 'reference');
    const tags = r.tags === undefined ? [] : strList(r, at, 'tags', { allowEmpty: true });
    const difficulty = r.difficulty;
    if (difficulty !== undefined && !DIFFICULTIES.includes(difficulty as Difficulty)) {
      throw new RecordError(
        at,
        'difficulty',
        `expected "easy", "medium" or "hard", got ${describe(difficulty)}`,
      );
    }
    const cs = r.completion_style;
    if (cs !== undefined && typeof cs !== 'boolean')
      throw new RecordError(at, 'completion_style', `expected true or false, got ${describe(cs)}`);
    const headerLicense = typeof ctx.header?.license === 'string' ? ctx.header.license : undefined;
    const headerName = typeof ctx.header?.name === 'string' ? ctx.header.name : 'Athanor';
    const license = optStr(r, at, 'license') ?? headerLicense ?? 'unspecified';
    const ep =
      entryPoint ?? (spec.kind === 'check' || spec.kind === 'io' ? spec.entryPoint : undefined);
    const signature =
      optStr(r, at, 'signature') ?? (ep && reference ? signatureOf(reference, ep) : undefined);
    return {
      id: `${ctx.datasetId}/${sourceId}`,
      datasetId: ctx.datasetId,
      sourceId,
      title: optStr(r, at, 'title') ?? titleFrom(prompt),
      prompt,
      style,
      completionStyle: cs ?? false,
      ...(ep ? { entryPoint: ep } : {}),
      ...(signature ? { signature } : {}),
      tests: spec,
      ...(reference !== undefined ? { reference } : {}),
      tags,
      ...(difficulty ? { difficulty: difficulty as Difficulty } : {}),
      origin: { kind: 'real' },
      source: { dataset: headerName, license, ...(ctx.url ? { url: ctx.url } : {}) },
    };
  },
};
