/**
 * Task-set names for the pages that show runs: a run stores its set's id
 * ("evalplus-ffd60291453a"), a person reads its name ("HumanEval+").
 *
 * Read once as the page opens rather than followed with liveQuery: a page that lists runs has no
 * need to follow imports as they happen, and with a live subscription on the datasets table kept
 * by the Runs page, New run opened from it did not see a set written straight into IndexedDB (as
 * the end-to-end tests seed one): Dexie answered from what it had already read.
 */
import { db } from '../store/db';

export class DatasetNames {
  #names: Record<string, string> = $state({});

  /** Read the names; call from a component's $effect. */
  load(): void {
    void db()
      .datasets.toArray()
      .then((rows) => (this.#names = Object.fromEntries(rows.map((d) => [d.id, d.name]))))
      .catch(() => {
        // The ids stay on show: a name is a convenience, never worth an error on the page.
      });
  }

  /** The set's name, or its id when this browser does not have the set (an imported run). */
  of(id: string): string {
    return this.#names[id] ?? id;
  }
}
