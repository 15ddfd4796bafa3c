/**
 * The family tree of a seed's prompts, from their stored parents: each prompt hangs under its
 * first parent; a prompt with two parents (a merge or crossover) also names the other one. The
 * tree is a nested list, not a graph drawing: native nested lists and <details> give keyboard
 * access and screen-reader structure for free, and a DAG whose only extra edges are second
 * parents reads well that way, so no graph library is needed.
 */
import type { CandidateRow } from './run-data';

export interface TreeNode {
  row: CandidateRow;
  /** Parents other than the one it hangs under. */
  alsoFrom: string[];
  children: TreeNode[];
}

export function familyTree(rows: readonly CandidateRow[]): TreeNode[] {
  const byId = new Map<string, TreeNode>();
  for (const row of rows) {
    if (!byId.has(row.id)) byId.set(row.id, { row, alsoFrom: [], children: [] });
  }
  const roots: TreeNode[] = [];
  for (const node of byId.values()) {
    const known = node.row.parents.filter((p) => byId.has(p) && p !== node.row.id);
    const first = known[0];
    // A parent that is its own descendant cannot happen with content ids; guard anyway.
    if (first !== undefined && !descends(byId, first, node.row.id)) {
      byId.get(first)!.children.push(node);
      node.alsoFrom = known.slice(1);
    } else {
      roots.push(node);
    }
  }
  return roots;
}

function descends(byId: Map<string, TreeNode>, id: string, ancestor: string): boolean {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const x = stack.pop() as string;
    if (x === ancestor) return true;
    if (seen.has(x)) continue;
    seen.add(x);
    const first = byId.get(x)?.row.parents.find((p) => byId.has(p));
    if (first !== undefined) stack.push(first);
  }
  return false;
}

/** True when any prompt of the seed has a parent: methods without parents show no tree. */
export const hasLineage = (rows: readonly CandidateRow[]): boolean =>
  rows.some((r) => r.parents.length > 0);
