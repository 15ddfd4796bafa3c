/**
 * Threads for llama.cpp (wllama). Several threads need SharedArrayBuffer, hence cross-origin
 * isolation; and on a machine with few cores one thread leaves a core for the page and the
 * Python workers — on two cores, one thread. Otherwise half the cores, as wllama defaults to.
 */
export function chooseThreadsFor(cores: number, isolated: boolean): number {
  if (!isolated || cores <= 2) return 1;
  return Math.max(1, Math.floor(cores / 2));
}

/** chooseThreadsFor this browser. */
export function chooseThreads(): number {
  return chooseThreadsFor(
    globalThis.navigator?.hardwareConcurrency || 1,
    globalThis.crossOriginIsolated === true,
  );
}
