/**
 * The genetic half of the hybrid action space: word-level mutation and crossover of prompts, with
 * no LLM call. Cheap exploration around good prompts (in the spirit of the GA operators of
 * EvoPrompt, Guo et al. 2024, arXiv 2309.08532, but lexical: words, not LLM-rewritten phrases).
 * Deterministic given the seeded RNG.
 */
import type { Rng } from '../../core/rng';
import { words } from '../../core/text';

export type LexicalOp = 'delete' | 'swap' | 'insert' | 'replace';
export const LEXICAL_OPS: readonly LexicalOp[] = ['delete', 'swap', 'insert', 'replace'];

/** Words worth moving between prompts: not bare punctuation. */
const donorWords = (texts: readonly string[]): string[] =>
  texts.flatMap(words).filter((w) => /[\p{L}\p{N}]/u.test(w));

/**
 * One word-level edit of `text`: delete a word, swap two neighbours, insert a word taken from a
 * donor prompt, or replace a word by a donor word. Returns the new text and the edit made. A
 * prompt of fewer than two words can only grow (insert) or be replaced.
 */
export function mutateWords(
  text: string,
  donors: readonly string[],
  rng: Rng,
): { text: string; op: LexicalOp } {
  const w = words(text);
  const pool = donorWords(donors.length > 0 ? donors : [text]);
  const ops = LEXICAL_OPS.filter((op) => {
    if (op === 'delete' || op === 'swap') return w.length >= 2;
    if (op === 'replace') return w.length >= 1 && pool.length > 0;
    return pool.length > 0;
  });
  if (ops.length === 0) return { text, op: 'insert' };
  const op = rng.pick(ops);
  if (op === 'delete') {
    w.splice(rng.int(0, w.length - 1), 1);
  } else if (op === 'swap') {
    const i = rng.int(0, w.length - 2);
    const a = w[i] as string;
    w[i] = w[i + 1] as string;
    w[i + 1] = a;
  } else if (op === 'insert') {
    w.splice(rng.int(0, w.length), 0, rng.pick(pool));
  } else {
    w[rng.int(0, w.length - 1)] = rng.pick(pool);
  }
  return { text: w.join(' '), op };
}

/**
 * One-point crossover at word level: the head of `a` up to a cut point joined to the tail of `b`
 * from the same relative position, so the child keeps roughly the parents' length. The cut is
 * snapped to a sentence end when one lies within two words, which keeps children readable.
 */
export function crossoverWords(a: string, b: string, rng: Rng): string {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0) return b;
  if (wb.length === 0) return a;
  let cut = rng.int(1, Math.max(1, wa.length - 1));
  for (const d of [0, -1, 1, -2, 2]) {
    const i = cut + d;
    if (i >= 1 && i < wa.length && /[.!?:]$/.test(wa[i - 1] as string)) {
      cut = i;
      break;
    }
  }
  const at = Math.round((cut / wa.length) * wb.length);
  let tail = Math.min(Math.max(at, 0), wb.length);
  for (const d of [0, -1, 1, -2, 2]) {
    const j = at + d;
    if (j >= 1 && j < wb.length && /[.!?:]$/.test(wb[j - 1] as string)) {
      tail = j;
      break;
    }
  }
  return [...wa.slice(0, cut), ...wb.slice(tail)].join(' ');
}
