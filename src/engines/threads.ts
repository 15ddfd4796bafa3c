/**
 * Threads for llama.cpp (wllama). Several threads need SharedArrayBuffer, hence cross-origin
 * isolation. With it: half the cores, as wllama defaults to, but at least two.
 *
 * Why two on a two-core machine, not one: a wllama model answers one request at a time, and the
 * scorer asks, waits for the answer, then grades (optimizers/scoring.ts prefetches only for ports
 * with concurrency > 1), so the Python workers are idle while the model computes and a core kept
 * for them would sit idle too. On the 2-core development machine two threads read prompts and
 * decode twice as fast as one (docs/results.md, throughput), which halves the quick demo.
 */
export function chooseThreadsFor(cores: number, isolated: boolean): number {
  if (!isolated || cores < 2) return 1;
  return Math.max(2, Math.floor(cores / 2));
}

/** chooseThreadsFor this browser. */
export function chooseThreads(): number {
  return chooseThreadsFor(
    globalThis.navigator?.hardwareConcurrency || 1,
    globalThis.crossOriginIsolated === true,
  );
}
