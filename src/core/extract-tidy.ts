/**
 * Turning the code a small instruct model wrote around a function into the function alone.
 *
 * Models rarely hand back only the definition: Qwen2.5-Coder adds an `if __name__ == "__main__":`
 * demo, Llama 3.2 prints example calls, Phi repeats the code with `assert` tests, SmolLM2 pastes an
 * interactive `>>>` session or wraps the function in a LeetCode `class Solution`, and many use
 * `List[int]` without importing it. Graded as is, such a program blocks on `input()`, fails on the
 * model's own wrong asserts, or has no module-level entry point. Every rule here is about the
 * program's top level only; the function bodies are never touched.
 */

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A top-level statement: its first line at column 0 and every line that belongs to it. */
interface Statement {
  head: string;
  lines: string[];
}

/**
 * For each line, whether it begins outside every string literal and bracket: a small scanner over
 * Python's quotes (single, triple, escapes), comments and brackets.
 */
function lineStartsAtTop(code: string): boolean[] {
  const out: boolean[] = [true];
  let depth = 0;
  let quote = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i] as string;
    if (ch === '\n') {
      // A single-quoted string cannot span lines: an unclosed one ends here.
      if (quote.length === 1) quote = '';
      out.push(quote === '' && depth === 0);
      continue;
    }
    if (quote !== '') {
      if (ch === '\\') i++;
      else if (code.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = '';
      }
      continue;
    }
    if (ch === '#') {
      while (i + 1 < code.length && code[i + 1] !== '\n') i++;
    } else if (ch === '"' || ch === "'") {
      quote = code.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      i += quote.length - 1;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
  }
  return out;
}

/**
 * Split code into top-level statements. A line starts a new statement when it is at column 0,
 * not inside an open bracket or a triple-quoted string, and not a clause (`else:`, `except`…) of
 * the statement before it; decorators and comment lines go with the statement they precede (so
 * `# Test the function` leaves with the test). Comments after the last statement are dropped.
 */
function topLevel(code: string): { statements: Statement[]; trailing: boolean } {
  const out: Statement[] = [];
  const top = lineStartsAtTop(code);
  let leading: string[] = [];
  code.split('\n').forEach((line, n) => {
    const atTop = top[n] === true && /^\S/.test(line);
    const cur = out[out.length - 1];
    if (atTop && (/^#/.test(line) || /^@/.test(line))) {
      leading.push(line);
    } else if ((atTop && !/^(else|elif|except|finally)\b/.test(line)) || !cur) {
      out.push({ head: line, lines: [...leading, line] });
      leading = [];
    } else if (leading.length > 0 && line.trim() === '') {
      leading.push(line);
    } else {
      cur.lines.push(...leading, line);
      leading = [];
    }
  });
  return { statements: out, trailing: leading.some((l) => l.trim() !== '') };
}

/** Names a top-level assignment binds (`a = …`, `a, b = …`), or none. */
const assigned = (head: string): string[] => {
  const m = /^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::[^=]*)?=(?!=)/.exec(head);
  return m ? (m[1] ?? '').split(',').map((n) => n.trim()) : [];
};

/** An interactive session (`>>> def f(…):` / `...     return …`) turned back into source. */
function fromSession(code: string): string {
  return code
    .split('\n')
    .filter((l) => /^(>>>|\.\.\.)( |$)/.test(l))
    .map((l) => l.slice(4))
    .join('\n');
}

/** Drop doctest lines at column 0 (`>>> call` and the output lines after it). */
function withoutDoctests(code: string): string {
  const lines = code.split('\n');
  const kept: string[] = [];
  let inOutput = false;
  for (const line of lines) {
    if (/^(>>>|\.\.\.)( |$)/.test(line)) {
      inOutput = true;
      continue;
    }
    if (inOutput && line.trim() !== '' && /^\S/.test(line) && !startsCode(line)) continue;
    inOutput = false;
    kept.push(line);
  }
  return kept.join('\n');
}

const startsCode = (line: string): boolean =>
  /^(def |async def |class |import |from \S+ import |@\w|if |for |while |with |try:|[A-Za-z_]\w*\s*=[^=])/.test(
    line,
  );

/** True when the statement is demo or test code rather than part of the program. */
function isDemo(st: Statement, entryPoint: string): boolean {
  const head = st.head;
  const text = st.lines.join('\n');
  if (/^if\s+__name__\s*==/.test(head)) return true;
  if (/^(def|async|class|@|import|from)\b/.test(head)) return false;
  if (/^(print|input|assert)\b/.test(head)) return true;
  // A bare call at the top level runs a demo or the model's tests (`main()`, `test_f()`,
  // `unittest.main()`); raising the recursion limit is the one such call a solution needs.
  if (/^[A-Za-z_][\w.]*\s*\(/.test(head) && !/^sys\.setrecursionlimit\b/.test(head)) return true;
  const callsEntry = new RegExp(`\\b${escapeRegExp(entryPoint)}\\s*\\(`).test(text);
  const io = /\b(print|input)\s*\(|^\s*assert\b/m.test(text);
  // `x = int(input())`, `result = f(…)`, `for case in tests: print(f(case))`, …
  return io || callsEntry;
}

/**
 * The definition of `entryPoint` with its demo and test code removed: a session is turned back
 * into source, doctest lines and `__main__` blocks go, and so does every other top-level
 * statement that prints, reads input, asserts or calls the entry point. When the code is only a
 * function body (a completion), only what follows the body at column 0 is considered.
 */
export function withoutDemo(code: string, entryPoint: string): string {
  const session = new RegExp(`^>>> (async )?def ${escapeRegExp(entryPoint)}\\s*\\(`, 'm');
  const text = session.test(code) ? fromSession(code) : withoutDoctests(code);
  const { statements, trailing } = topLevel(text);
  const isBody = statements.length > 0 && /^\s/.test(statements[0]?.head ?? '');
  const demo = statements.map((st, i) => !(isBody && i === 0) && isDemo(st, entryPoint));
  // Test data (`nums = [2, 7]`) that only the dropped demo code reads goes with it.
  const uses = (i: number, name: string): boolean => {
    const st = statements[i];
    if (!st) return false;
    const word = new RegExp(`\\b${escapeRegExp(name)}\\b`);
    // In a function whose parameter has the name, every use is the parameter.
    const params = /^(?:async\s+)?def\s+\w+\s*\(([^)]*)\)/.exec(st.head)?.[1];
    if (params !== undefined && word.test(params)) return false;
    return word.test(st.lines.join('\n'));
  };
  statements.forEach((st, i) => {
    const names = assigned(st.head);
    if (demo[i] || names.length === 0) return;
    const readByKept = statements.some(
      (_, k) => k !== i && !demo[k] && names.some((n) => uses(k, n)),
    );
    const readByDemo = statements.some((_, k) => demo[k] && names.some((n) => uses(k, n)));
    if (!readByKept && readByDemo) demo[i] = true;
  });
  if (!trailing && !demo.includes(true)) return text;
  const kept = statements.filter((_, i) => !demo[i]);
  return kept
    .map((s) => s.lines.join('\n'))
    .join('\n')
    .replace(/\s+$/, '');
}

/**
 * A module-level entry point for a function the model put inside a class (LeetCode's
 * `class Solution: def f(self, …)`): the tests call `f(…)`, so the program gets
 * `def f(*args, **kwargs): return Solution().f(*args, **kwargs)`. Undefined when no wrapper is
 * needed (the function is at module level) or possible (no enclosing class).
 */
export function classWrapper(code: string, entryPoint: string): string | undefined {
  const name = escapeRegExp(entryPoint);
  if (new RegExp(`^(async\\s+)?def\\s+${name}\\s*\\(`, 'm').test(code)) return undefined;
  const def = new RegExp(`^([ \\t]+)def\\s+${name}\\s*\\(\\s*(self|cls)?\\b`, 'm').exec(code);
  if (!def) return undefined;
  const before = code.slice(0, def.index);
  const classes = [...before.matchAll(/^class\s+(\w+)/gm)];
  const cls = classes[classes.length - 1]?.[1];
  if (!cls) return undefined;
  const target = def[2] === 'self' ? `${cls}()` : cls;
  return `def ${entryPoint}(*args, **kwargs):\n    return ${target}.${entryPoint}(*args, **kwargs)`;
}

/** typing names small models use in signatures without importing them. */
const TYPING_NAMES = [
  'Any',
  'Callable',
  'Dict',
  'FrozenSet',
  'Generator',
  'Iterable',
  'Iterator',
  'List',
  'Mapping',
  'Optional',
  'Sequence',
  'Set',
  'Tuple',
  'Union',
];

/**
 * The `from typing import …` line a program needs and lacks: names used as `Name[` or as a bare
 * annotation (`: Any`, `-> Any`) that no import or definition provides. Empty when none.
 */
export function missingTypingImport(program: string): string {
  if (/^\s*(import typing\b|from typing import \*)/m.test(program)) return '';
  const code = program
    .replace(/("""|''')[\s\S]*?\1/g, '')
    .replace(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, '')
    .replace(/#.*$/gm, '');
  const imported = new Set<string>();
  for (const m of program.matchAll(/^\s*from\s+typing\s+import\s+\(?([^)\n]+)\)?/gm)) {
    for (const n of (m[1] ?? '').split(',')) imported.add(n.trim().split(/\s+as\s+/)[0] ?? '');
  }
  const missing = TYPING_NAMES.filter((n) => {
    if (imported.has(n)) return false;
    if (new RegExp(`^\\s*(class|def)\\s+${n}\\b|^\\s*${n}\\s*=`, 'm').test(code)) return false;
    return new RegExp(`\\b${n}\\s*\\[|(?::|->)\\s*${n}\\b`).test(code);
  });
  return missing.length === 0 ? '' : `from typing import ${missing.join(', ')}`;
}
