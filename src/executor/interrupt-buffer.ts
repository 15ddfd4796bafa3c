/**
 * The interrupt buffer handed to Pyodide, made safe against a lost interrupt.
 *
 * Pyodide (CPython's Python/emscripten_signal.c, `_Py_CheckEmscriptenSignals_Helper`, checked every
 * 50 eval-breaker ticks) reads the buffer and then clears it with two plain accesses:
 *
 *     let result = buffer[0]; buffer[0] = 0; return result;
 *
 * An interrupt the pool writes between the read and the clear is wiped out unseen: the program
 * runs on, the grace after the interrupt ends, and a healthy worker is terminated and reloaded
 * (seen about once per full test run, on "infinite loop at import" in both Node and Chromium).
 *
 * This view gives Pyodide the same two accesses over the shared slot, but the clear only removes
 * the value that was read (compare-and-exchange): a signal written after the read stays for the
 * next check, 50 ticks later. Nothing else in Pyodide writes the buffer; `checkInterrupt` only
 * reads it.
 */
export function raceFreeInterruptBuffer(ints: Int32Array, slot = 0): Int32Array {
  let lastRead = 0;
  const view = {
    get 0(): number {
      lastRead = Atomics.load(ints, slot);
      return lastRead;
    },
    set 0(value: number) {
      if (value === 0) Atomics.compareExchange(ints, slot, lastRead, 0);
      else Atomics.store(ints, slot, value);
    },
    length: 1,
  };
  // Pyodide only indexes [0] and tests truthiness; its type asks for a typed array.
  return view as unknown as Int32Array;
}
