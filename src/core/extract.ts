/**
 * From an LLM's answer to the program the executor grades.
 *
 * Models answer in many shapes: one fenced block, several blocks (a solution, then a usage
 * example, then a shell command), bare code after a sentence of prose, a bare continuation of a
 * HumanEval function body, or a long `<think>…</think>` before any of that. This module turns all
 * of them into code deterministically, with no model in the loop, and says which rule it used so
 * the UI can show it and tests can pin it.
 *
 * Hand-rolled on purpose: no library parses "Markdown that may be truncated mid-fence and may be
 * bare Python"; the rules are small and the table in test/unit/extract.test.ts pins them.
 */
import { classWrapper, missingTypingImport, withoutDemo } from './extract-tidy';
import type { Task } from './types';

export type ExtractMethod = 'fenced' | 'bare' | 'empty';

export interface Extraction {
  code: string;
  method: ExtractMethod;
  /** Code blocks the answer held (fenced ones; 0 for bare code). */
  blocks: number;
}

export type ProgramMethod = 'standalone' | 'completion' | 'restated' | 'empty';

export interface BuiltProgram {
  /** What the executor runs. */
  program: string;
  /** The code taken from the answer. */
  code: string;
  extraction: Extraction;
  /**
   * How the program was assembled: `standalone` (the code alone), `completion` (task prompt +
   * the answer as its continuation), `restated` (the prompt's preamble + an answer that defines
   * the entry point again), `empty` (nothing usable).
   */
  method: ProgramMethod;
}

const PYTHON_TAGS = new Set([
  '',
  'python',
  'python3',
  'py',
  'py3',
  'python3.11',
  'ipython',
  'pycon',
]);

/**
 * Drop reasoning the model shows before its answer. Closed `<think>` (or `<thinking>`,
 * `<reasoning>`) blocks go; so does everything before a stray closing tag (chat templates that
 * open the tag in the prompt), and an unclosed opening tag with everything after it when no code
 * fence follows the reasoning (a model cut off mid-thought has produced no code).
 */
export function stripReasoning(answer: string): string {
  let text = answer.replace(/<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi, '');
  const stray = /<\/(think|thinking|reasoning)>/i.exec(text);
  if (stray) text = text.slice(stray.index + stray[0].length);
  const open = /<(think|thinking|reasoning)>/i.exec(text);
  if (open) {
    const after = text.slice(open.index + open[0].length);
    text = after.includes('```') ? text.slice(0, open.index) + after : text.slice(0, open.index);
  }
  return text;
}

interface Fence {
  tag: string;
  body: string;
}

/** Fenced blocks in order; a final fence left open (answer cut at max_tokens) runs to the end. */
function fencedBlocks(text: string): Fence[] {
  const blocks: Fence[] = [];
  const lines = text.split('\n');
  let open: { tag: string; indent: number; body: string[] } | null = null;
  for (const line of lines) {
    const m = /^(\s*)(`{3,}|~{3,})\s*([\w.+-]*)[^\n`]*$/.exec(line);
    if (!open) {
      if (m) open = { tag: (m[3] ?? '').toLowerCase(), indent: (m[1] ?? '').length, body: [] };
    } else if (m && (m[3] ?? '') === '') {
      blocks.push({ tag: open.tag, body: dedentBy(open.body, open.indent).join('\n') });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  if (open && open.body.some((l) => l.trim() !== '')) {
    blocks.push({ tag: open.tag, body: dedentBy(open.body, open.indent).join('\n') });
  }
  return blocks;
}

function dedentBy(lines: string[], n: number): string[] {
  if (n === 0) return lines;
  return lines.map((l) => (l.slice(0, n).trim() === '' ? l.slice(n) : l));
}

const definesName = (code: string, name: string): boolean =>
  new RegExp(`^\\s*(?:async\\s+)?def\\s+${escapeRegExp(name)}\\s*\\(`, 'm').test(code) ||
  new RegExp(`^${escapeRegExp(name)}\\s*=\\s*lambda\\b`, 'm').test(code);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const looksLikePython = (code: string): boolean =>
  /^\s*(def |class |import |from \S+ import |return\b|if |for |while |@\w)/m.test(code);

/** The text with every fenced block (and its fence lines) removed. */
function withoutFences(text: string): string {
  return text.replace(/^\s*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\1\s*$/gm, '');
}

/** Pick the block that defines the entry point; else the longest Python-looking one. */
function chooseBlock(blocks: Fence[], entryPoint?: string): Fence | undefined {
  const python = blocks.filter((b) => PYTHON_TAGS.has(b.tag) && b.body.trim() !== '');
  const pool = python.length > 0 ? python : blocks.filter((b) => looksLikePython(b.body));
  if (pool.length === 0) return undefined;
  if (entryPoint) {
    const defining = pool.filter((b) => definesName(b.body, entryPoint));
    // Several blocks define it (a version, then another, or the same again with tests): the
    // first, because that is where every engine stops generating (core/code-stop.ts), so an
    // answer graded whole and one stopped at its code give the same program. evalplus's
    // sanitizer also keeps a name's first definition.
    if (defining.length > 0) return defining[0];
  }
  const withDef = pool.filter((b) => /^\s*def\s/m.test(b.body));
  const candidates = withDef.length > 0 ? withDef : pool;
  return candidates.reduce((a, b) => (b.body.length > a.body.length ? b : a));
}

const CODE_START =
  /^(def |async def |class |import |from \S+ import |@\w|(for|while|if|with|try|return|raise|yield|assert)\b.*[:)\]\w'"]\s*$|[A-Za-z_][\w.]*\s*(=|\+=|\())/;

/**
 * A line of prose at column 0: starts with a capital word and reads like a sentence, and is not
 * code (no assignment, call or colon-terminated header).
 */
const isProse = (line: string): boolean =>
  // A capitalized label such as `Usage:` or `Example output:` (not valid Python on its own).
  /^[A-Z][A-Za-z ]*:\s*$/.test(line) ||
  (/^[A-Z*#>-][^=]*$/.test(line) &&
    /\s\w+\s\w+/.test(line) &&
    !/^(def|class|import|from|return|if|elif|else|for|while|try|except|with|raise|assert|print)\b/.test(
      line,
    ) &&
    !/\)\s*$/.test(line));

/**
 * Code given without fences: keep from the first line that starts code (or the first indented
 * line, for a body continuation) and stop at the first column-0 prose line after it.
 */
function bareCode(text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => CODE_START.test(l) || /^\s+\S/.test(l));
  if (start < 0) return '';
  const kept: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] as string;
    if (i > start && line !== '' && !/^\s/.test(line) && isProse(line)) break;
    kept.push(line);
  }
  return trimBlankEdges(kept.join('\n'));
}

function trimBlankEdges(code: string): string {
  return code.replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
}

/**
 * The code in an answer: fenced when there are fences, bare otherwise. With an entry point, the
 * demo and test code around the function (`__main__` blocks, prints, asserts, doctest lines,
 * `>>>` sessions) is dropped (core/extract-tidy.ts).
 */
export function extractCode(answer: string, opts: { entryPoint?: string } = {}): Extraction {
  const raw = extractRaw(answer, opts);
  if (!opts.entryPoint || raw.method === 'empty') return raw;
  return { ...raw, code: withoutDemo(raw.code, opts.entryPoint) };
}

function extractRaw(answer: string, opts: { entryPoint?: string }): Extraction {
  const text = stripReasoning(answer.replace(/\r\n?/g, '\n'));
  const blocks = fencedBlocks(text);
  const chosen = chooseBlock(blocks, opts.entryPoint);
  const ep = opts.entryPoint;
  if (chosen && !(ep && !definesName(chosen.body, ep))) {
    return { code: trimBlankEdges(chosen.body), method: 'fenced', blocks: blocks.length };
  }
  if (chosen && ep) {
    // The fences hold only usage or output, and the definition sits in bare text around them.
    const outside = bareCode(withoutFences(text));
    if (definesName(outside, ep)) return { code: outside, method: 'bare', blocks: blocks.length };
    return { code: trimBlankEdges(chosen.body), method: 'fenced', blocks: blocks.length };
  }
  const bare = bareCode(text);
  if (bare.trim() === '') return { code: '', method: 'empty', blocks: blocks.length };
  return { code: bare, method: 'bare', blocks: 0 };
}

/** The part of a completion-style prompt before `def entryPoint` (imports, helpers). */
export function promptPreamble(prompt: string, entryPoint: string): string {
  const m = new RegExp(`^(?:async\\s+)?def\\s+${escapeRegExp(entryPoint)}\\s*\\(`, 'm').exec(
    prompt,
  );
  return m ? prompt.slice(0, m.index) : '';
}

/**
 * Re-indent a function-body continuation whose first line lost its indentation (answers are
 * often trimmed), so that `prompt + body` parses.
 */
function asBody(code: string): string {
  const lines = code.split('\n');
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length === 0) return code;
  const indented = nonEmpty.filter((l) => /^\s/.test(l));
  if (indented.length === nonEmpty.length) return code;
  if (indented.length === 0) return lines.map((l) => (l.trim() === '' ? l : `    ${l}`)).join('\n');
  // Only the first line is flush left (a stripped continuation): give it the body's indent.
  const first = lines.findIndex((l) => l.trim() !== '');
  const rest = nonEmpty.slice(1);
  if (rest.length === 0 || !rest.every((l) => /^\s/.test(l))) return code;
  const indentOf = (l: string): number => (/^(\s*)/.exec(l)?.[1] ?? '').length;
  const minRest = Math.min(...rest.map(indentOf));
  const next = indentOf(rest[0] as string);
  // A first line that opens a block (`for x in y:`) sits one level above the line after it.
  const opens = /:\s*(#.*)?$/.test(lines[first] as string);
  const indent = !opens || next > minRest ? minRest : Math.max(4, minRest - 4);
  lines[first] = ' '.repeat(indent) + (lines[first] as string);
  return lines.join('\n');
}

/**
 * The program graded for `answer` on `task`. For a completion-style task (HumanEval) the answer
 * is a continuation of the prompt's function body, unless it restates the entry point, in which
 * case the prompt's preamble (imports and helper functions the answer may rely on) goes first.
 */
export function buildProgram(
  task: Pick<Task, 'prompt' | 'completionStyle' | 'entryPoint'>,
  answer: string,
): BuiltProgram {
  const extraction = extractCode(answer, task.entryPoint ? { entryPoint: task.entryPoint } : {});
  const code = extraction.code;
  if (extraction.method === 'empty') {
    return { program: task.completionStyle ? task.prompt : '', code, extraction, method: 'empty' };
  }
  const wrapper = task.entryPoint ? classWrapper(code, task.entryPoint) : undefined;
  const full = wrapper ? `${code}\n\n\n${wrapper}` : code;
  if (!task.completionStyle || !task.entryPoint) {
    return { program: withTyping(full), code, extraction, method: 'standalone' };
  }
  if (definesName(code, task.entryPoint)) {
    const preamble = promptPreamble(task.prompt, task.entryPoint);
    const program = preamble.trim() === '' ? full : `${preamble.replace(/\s+$/, '')}\n\n\n${full}`;
    return { program: withTyping(program), code, extraction, method: 'restated' };
  }
  const prompt = task.prompt.endsWith('\n') ? task.prompt : `${task.prompt}\n`;
  return {
    program: withTyping(`${prompt}${asBody(code)}\n`),
    code,
    extraction,
    method: 'completion',
  };
}

/** The program with the `from typing import …` line it uses and lacks put first. */
function withTyping(program: string): string {
  const line = missingTypingImport(program);
  return line === '' ? program : `${line}\n\n${program}`;
}
