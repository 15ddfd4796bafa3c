/**
 * Where an answer's code is complete, so an engine can stop generating there: the end of the
 * closing fence of the first fenced block that defines the task's entry point (for a
 * completion-style task, whose answer is a body, the first closed Python block). Everything a
 * model writes after it (explanation, usage examples, test prints) costs tokens and is thrown
 * away by extraction anyway; on a small model in a browser each token costs tens of milliseconds.
 *
 * Engines call `codeEnd` on the text so far as it streams (cheaply: only when a fence character
 * arrived), and stop at the first index it returns.
 */

export interface CodeStop {
  /** The function the block must define; absent for stdio tasks (the first Python block). */
  entryPoint?: string;
  /** True for completion-style tasks: the first closed Python block, with or without a def. */
  completionStyle?: boolean;
}

const PYTHON = /^(|python3?|py3?|python3\.\d+)$/i;

/**
 * The index just after the closing fence line of the block that completes the answer's code, or
 * undefined while there is none (no closed block yet, or none that defines the entry point).
 */
export function codeEnd(text: string, stop: CodeStop): number | undefined {
  const fence = /^[ \t]*(`{3,}|~{3,})[ \t]*([\w.+-]*)[^\n]*$/gm;
  let open: { marker: string; tag: string; bodyStart: number } | null = null;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const marker = m[1] as string;
    const tag = (m[2] ?? '').toLowerCase();
    if (!open) {
      open = { marker, tag, bodyStart: m.index + m[0].length + 1 };
      continue;
    }
    if (tag !== '' || marker[0] !== open.marker[0] || marker.length < open.marker.length) continue;
    // The closing fence must be a whole line: wait for its newline unless the text ends there.
    const end = m.index + m[0].length;
    const body = text.slice(open.bodyStart, m.index);
    const python = PYTHON.test(open.tag);
    open = null;
    if (!python || body.trim() === '') continue;
    if (stop.entryPoint && definesEntry(body, stop.entryPoint)) return end;
    if (!stop.entryPoint || stop.completionStyle) {
      if (/^\s*(def |class |import |from |return\b|\s+\S)/m.test(body)) return end;
    }
  }
  return undefined;
}

const definesEntry = (code: string, name: string): boolean =>
  new RegExp(`^\\s*(?:>>> )?(?:async\\s+)?def\\s+${name.replace(/\W/g, '\\$&')}\\s*\\(`, 'm').test(
    code,
  ) || new RegExp(`^${name.replace(/\W/g, '\\$&')}\\s*=\\s*lambda\\b`, 'm').test(code);

/** True when `piece` (a newly generated token) could close a fence, so codeEnd is worth a look. */
export const mayCloseFence = (piece: string): boolean => /[`~\n]/.test(piece);

/**
 * The answer limit for a task, from the length of its reference solution: a model that writes
 * the code in a fence with some prose around it needs about the reference's tokens, so the limit
 * is twice the reference (counted at one token per 3 characters, generous for code) plus 256 for
 * fences and a short explanation before the code (chain-of-thought prompts ask for one), within
 * [`floor`, `cap`]. Without a reference: `cap`.
 */
export function answerTokens(
  task: { reference?: string; completionStyle?: boolean },
  cap: number,
  floor = 256,
): number {
  if (!task.reference) return cap;
  const tokens = Math.ceil(task.reference.length / 3) * 2 + 256;
  return Math.min(cap, Math.max(Math.min(floor, cap), tokens));
}
