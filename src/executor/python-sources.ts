/**
 * The Python half of the executor, as text: real .py files (linted by ruff, runnable by CPython,
 * see test/integration/harness-cpython.test.ts) that the build imports as strings. Vite and Vitest
 * read `?raw` themselves; Node, for the pool's worker threads and the benches, reads it through
 * scripts/raw-import.mjs.
 */
import HARNESS from './harness.py?raw';
import IO_VALUES from './io_values.py?raw';
import PRELOAD from './preload.py?raw';

/**
 * Modules imported before the baseline is taken, so they are never re-imported per job; also run
 * before a memory snapshot so restored workers start with them loaded.
 */
export const PRELOAD_PY: string = PRELOAD;
/** The harness, run once per interpreter in a dict of its own: the preload, then harness.py. */
export const HARNESS_PY: string = `${PRELOAD}\n${HARNESS}`;
/** The `io` kind's half (EvalPlus), run in the harness's globals right after it. */
export const IO_VALUES_PY: string = IO_VALUES;
