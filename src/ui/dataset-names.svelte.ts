/**
 * Task-set names for the pages that show runs: a run stores its set's id
 * ("evalplus-ffd60291453a"), a person reads its name ("HumanEval+"). The names follow the store
 * (liveQuery), so a set imported or renamed in another tab shows at once.
 */
import { db } from '../store/db';
import { watchQuery } from './live';

export class DatasetNames {
  #names: Record<string, string> = $state({});

  /** Start following the store; call from a component's $effect and return what it returns. */
  watch(): () => void {
    return watchQuery(
      async () => (await db().datasets.toArray()).map((d) => [d.id, d.name] as const),
      (rows) => (this.#names = Object.fromEntries(rows)),
    );
  }

  /** The set's name, or its id when this browser does not have the set (an imported run). */
  of(id: string): string {
    return this.#names[id] ?? id;
  }
}
