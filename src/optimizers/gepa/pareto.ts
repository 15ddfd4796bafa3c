/**
 * GEPA's candidate bookkeeping as pure functions: the per-task Pareto front with dominated
 * candidates pruned, parent selection weighted by the tasks a candidate leads on, lineage
 * (ancestors), and the system-aware merge of two descendants of a common ancestor.
 */
import type { Rng } from '../../core/rng';

/**
 * For each task, the candidates with the best score on it (ties all lead). Then candidates that
 * are dominated are pruned, lowest mean first: a candidate is dominated when every task it leads
 * on is also led by another surviving candidate. `leads[i]` counts the tasks candidate i leads on
 * after pruning (0 for a pruned or never-leading candidate), as in the paper's Algorithm 2.
 */
export function paretoFront(scores: readonly (readonly number[])[]): {
  fronts: number[][];
  leads: number[];
} {
  const n = scores.length;
  const tasks = scores[0]?.length ?? 0;
  const fronts: number[][] = [];
  for (let j = 0; j < tasks; j++) {
    let best = -Infinity;
    for (let i = 0; i < n; i++) best = Math.max(best, scores[i]?.[j] ?? 0);
    fronts.push(
      Array.from({ length: n }, (_, i) => i).filter((i) => (scores[i]?.[j] ?? 0) === best),
    );
  }
  const mean = (i: number): number => {
    const row = scores[i] ?? [];
    return row.length === 0 ? 0 : row.reduce((a, b) => a + b, 0) / row.length;
  };
  const alive = new Set(fronts.flat());
  // Lowest mean first; ties: the later candidate first, so the older one survives.
  const order = [...alive].sort((a, b) => mean(a) - mean(b) || b - a);
  let changed = true;
  while (changed) {
    changed = false;
    for (const y of order) {
      if (!alive.has(y)) continue;
      const mine = fronts.filter((f) => f.includes(y));
      if (mine.every((f) => f.some((x) => x !== y && alive.has(x)))) {
        alive.delete(y);
        changed = true;
        break;
      }
    }
  }
  const pruned = fronts.map((f) => f.filter((i) => alive.has(i)));
  const leads = Array.from({ length: n }, (_, i) => pruned.filter((f) => f.includes(i)).length);
  return { fronts: pruned, leads };
}

/** Index of a parent drawn with probability proportional to the tasks it leads on. */
export function selectByLeads(leads: readonly number[], rng: Rng): number {
  const total = leads.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return rng.weightedIndex(leads);
}

/** Every ancestor of `id` (parents, their parents, ...), not `id` itself. */
export function ancestorsOf(id: string, parents: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>();
  const stack = [...(parents.get(id) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as string;
    if (seen.has(p)) continue;
    seen.add(p);
    stack.push(...(parents.get(p) ?? []));
  }
  return [...seen];
}

/** A prompt's sentences (the units a merge keeps or drops). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The system-aware merge, at the granularity of a sentence: keep what each descendant changed
 * relative to the common ancestor. A sentence of `a` stays unless `b` deleted it from the
 * ancestor; sentences `b` added follow. Why sentences: the paper merges per module of a compound
 * system (take the module that evolved, keep the one that did not); Athanor's system is one
 * instruction, so the units are its sentences, and a plain set-based three-way merge suffices.
 */
export function mergeThreeWay(ancestor: string, a: string, b: string): string {
  const base = new Set(sentences(ancestor));
  const sa = sentences(a);
  const sb = sentences(b);
  const inA = new Set(sa);
  const inB = new Set(sb);
  const kept = sa.filter((s) => !base.has(s) || inB.has(s));
  const added = sb.filter((s) => !base.has(s) && !inA.has(s));
  return [...kept, ...added].join(' ');
}

/**
 * The tasks a merge is first tried on: up to `k` tasks, balanced between those where `a` beats
 * `b`, those where `b` beats `a`, and ties, taken in turn (the paper's subsample).
 */
export function mergeSubsample(
  a: readonly number[],
  b: readonly number[],
  k: number,
  rng: Rng,
): number[] {
  const idx = a.map((_, j) => j);
  const groups = [
    rng.shuffle(idx.filter((j) => (a[j] ?? 0) > (b[j] ?? 0))),
    rng.shuffle(idx.filter((j) => (b[j] ?? 0) > (a[j] ?? 0))),
    rng.shuffle(idx.filter((j) => (a[j] ?? 0) === (b[j] ?? 0))),
  ];
  const out: number[] = [];
  for (let round = 0; out.length < k && groups.some((g) => g.length > round); round++) {
    for (const g of groups) {
      const j = g[round];
      if (j !== undefined && out.length < k) out.push(j);
    }
  }
  return out.sort((x, y) => x - y);
}
