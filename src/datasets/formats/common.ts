/** What every importer shares: the format interface, field readers that name the bad field. */
import type { Task } from '../../core/types';
import { RecordError, type RecordLocation } from '../errors';

export type FormatId = 'humaneval' | 'mbpp' | 'mbpp-sanitized' | 'evalplus' | 'apps' | 'athanor';

export interface FormatOptions {
  /** EvalPlus: show the model `prompt + contract` (EvalPlus's "prompt with contracts"). */
  evalplusContract?: boolean;
  /** EvalPlus: grade on `base_input` only, or on base + plus (the default, EvalPlus's "plus"). */
  evalplusInputs?: 'base' | 'base+plus';
}

export interface BuildContext {
  datasetId: string;
  options: FormatOptions;
  /** Where the record was read from, for error messages. */
  at: RecordLocation;
  /** Values of a JSON object file's other members (Athanor format), e.g. its license. */
  header?: Record<string, unknown>;
  url?: string;
  /** The record's raw text (EvalPlus reads its inputs from it, not from the JS parse). */
  raw: string;
}

export interface TaskFormat {
  id: FormatId;
  label: string;
  /** Default dataset name and license when the file does not say. */
  defaultName: string;
  license: string;
  /** True when a parsed record has this format's fields (used to suggest the right format). */
  looksLike(value: Record<string, unknown>): boolean;
  /** One record to one task; throws RecordError naming the field. */
  toTask(value: Record<string, unknown>, ctx: BuildContext): Task;
}

type Rec = Record<string, unknown>;

export function str(
  rec: Rec,
  at: RecordLocation,
  name: string,
  opts: { allowEmpty?: boolean } = {},
): string {
  const v = rec[name];
  if (v === undefined) throw new RecordError(at, name, 'missing');
  if (typeof v !== 'string')
    throw new RecordError(at, name, `expected a string, got ${describe(v)}`);
  if (!opts.allowEmpty && v.trim() === '') throw new RecordError(at, name, 'is empty');
  return v;
}

export function optStr(rec: Rec, at: RecordLocation, name: string): string | undefined {
  const v = rec[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new RecordError(at, name, `expected a string, got ${describe(v)}`);
  return v;
}

export function strList(
  rec: Rec,
  at: RecordLocation,
  name: string,
  opts: { allowEmpty?: boolean } = {},
): string[] {
  const v = rec[name];
  if (v === undefined) throw new RecordError(at, name, 'missing');
  if (!Array.isArray(v))
    throw new RecordError(at, name, `expected a list of strings, got ${describe(v)}`);
  v.forEach((item, i) => {
    if (typeof item !== 'string')
      throw new RecordError(at, `${name}[${i}]`, `expected a string, got ${describe(item)}`);
  });
  if (!opts.allowEmpty && v.length === 0) throw new RecordError(at, name, 'is an empty list');
  return v as string[];
}

/** An id that may be written as a number or a string (MBPP uses numbers). */
export function idField(rec: Rec, at: RecordLocation, name: string): string {
  const v = rec[name];
  if (v === undefined) throw new RecordError(at, name, 'missing');
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  throw new RecordError(at, name, `expected an integer or a non-empty string, got ${describe(v)}`);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string')
    return `a string ${JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Names of functions a program defines at top level, in order. */
export function definedFunctions(code: string): string[] {
  return [...code.matchAll(/^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/gm)].map((m) => m[1] as string);
}

/** The `def name(...)` line (with a possible `-> type`), for `Task.signature`. */
export function signatureOf(code: string, name: string): string | undefined {
  const m = new RegExp(
    `^\\s*(?:async\\s+)?def\\s+${name}\\s*\\([^]*?\\)\\s*(?:->[^:]+)?:`,
    'm',
  ).exec(code);
  return m ? m[0].trim().replace(/\s+/g, ' ') : undefined;
}

/**
 * The function the tests call: the first defined function that a test calls, else the first name
 * called after `assert`. MBPP does not name its entry point, so this is how its tasks get one.
 */
export function entryPointFromTests(code: string, tests: string[]): string | undefined {
  const defined = definedFunctions(code);
  for (const t of tests) {
    for (const name of defined) if (new RegExp(`\\b${name}\\s*\\(`).test(t)) return name;
  }
  const m =
    /assert\s+(?:not\s+)?(?:\(\s*)?(?:(?:set|sorted|list|tuple|abs|round|math\.isclose|str|int|float|len)\s*\(\s*)*([A-Za-z_]\w*)\s*\(/.exec(
      tests[0] ?? '',
    );
  return m?.[1] ?? defined[0];
}

/** A Python string literal for any text (JSON's string syntax is a subset of Python's). */
export const pyString = (s: string): string => JSON.stringify(s);

/** A short title from the first sentence of a description. */
export function titleFrom(text: string, max = 72): string {
  const first = text.trim().split(/\n/)[0] ?? '';
  const sentence = (/^(.*?[.?!])(\s|$)/.exec(first)?.[1] ?? first).replace(
    /^Write an? (python )?function( to)?\s*/i,
    '',
  );
  const t = sentence.charAt(0).toUpperCase() + sentence.slice(1);
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}
