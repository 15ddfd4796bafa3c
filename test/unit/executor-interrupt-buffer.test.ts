/**
 * The interrupt buffer Pyodide polls: its read-then-clear (Python/emscripten_signal.c) must not
 * wipe out an interrupt written between the read and the clear.
 */
import { describe, expect, it } from 'vitest';
import { raceFreeInterruptBuffer } from '../../src/executor/interrupt-buffer';

/** Pyodide's `_Py_CheckEmscriptenSignals_Helper`, with the pool's write placed inside its race. */
function pollWithWriteBetween(buf: Int32Array, write: () => void): number {
  const result = buf[0]!;
  write();
  buf[0] = 0;
  return result;
}

describe('the interrupt buffer given to Pyodide', () => {
  it('keeps an interrupt written between the poll and its clear, for the next poll', () => {
    const ints = new Int32Array(new SharedArrayBuffer(8 * 4));
    const buf = raceFreeInterruptBuffer(ints, 0);
    expect(pollWithWriteBetween(buf, () => Atomics.store(ints, 0, 2))).toBe(0);
    expect(ints[0]).toBe(2);
    expect(pollWithWriteBetween(buf, () => undefined)).toBe(2);
    expect(ints[0]).toBe(0);
  });

  it('a plain typed array, as Pyodide uses by default, loses that interrupt', () => {
    const ints = new Int32Array(new SharedArrayBuffer(8 * 4));
    const plain = new Int32Array(ints.buffer, 0, 1);
    pollWithWriteBetween(plain, () => Atomics.store(ints, 0, 2));
    expect(ints[0]).toBe(0);
  });

  it('reads and clears only its own slot', () => {
    const ints = new Int32Array(new SharedArrayBuffer(8 * 4));
    ints[3] = 7;
    Atomics.store(ints, 0, 2);
    const buf = raceFreeInterruptBuffer(ints, 0);
    expect(buf[0]).toBe(2);
    buf[0] = 0;
    expect([...ints.slice(0, 4)]).toEqual([0, 0, 0, 7]);
  });
});
