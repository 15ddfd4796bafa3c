/** The family tree of a seed's prompts (src/ui/lineage.ts). */
import { describe, expect, it } from 'vitest';
import { familyTree, hasLineage } from '../../src/ui/lineage';
import type { CandidateRow } from '../../src/ui/run-data';

const row = (id: string, parents: string[] = [], operator = 'reflect'): CandidateRow => ({
  id,
  text: id,
  operator,
  step: 0,
  parents,
  score: null,
  soft: null,
  graded: 0,
});

describe('family tree', () => {
  it('hangs each prompt under its first parent and names a merge’s other parent', () => {
    const roots = familyTree([
      row('seed', [], 'seed'),
      row('a', ['seed']),
      row('b', ['seed']),
      row('m', ['a', 'b'], 'merge'),
      row('orphan', ['gone']),
    ]);
    expect(roots.map((r) => r.row.id)).toEqual(['seed', 'orphan']);
    const seed = roots[0]!;
    expect(seed.children.map((c) => c.row.id)).toEqual(['a', 'b']);
    const m = seed.children[0]!.children[0]!;
    expect(m.row.id).toBe('m');
    expect(m.alsoFrom).toEqual(['b']);
  });

  it('shows no tree for methods whose prompts have no parents', () => {
    expect(hasLineage([row('x', [], 'seed')])).toBe(false);
    expect(hasLineage([row('x', [], 'seed'), row('y', ['x'])])).toBe(true);
  });
});
