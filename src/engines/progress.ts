/**
 * Download progress as the UI shows it: bytes, percent and time left, the same for both engines.
 */

export interface LoadProgress {
  /** `download`: fetching weights; `load`: compiling / moving weights to memory; `ready`. */
  phase: 'download' | 'load' | 'ready';
  /** In [0, 1]. */
  fraction: number;
  loadedBytes?: number;
  totalBytes?: number;
  elapsedMs: number;
  /** Estimated time left, when enough has happened to guess. */
  etaMs?: number;
  /** The engine's own words, for the curious. */
  text: string;
}

export type ProgressListener = (p: LoadProgress) => void;

/** Time left assuming the rate so far holds; undefined until 1% is done (too noisy before). */
export function estimateEta(fraction: number, elapsedMs: number): number | undefined {
  if (!(fraction >= 0.01) || fraction >= 1) return fraction >= 1 ? 0 : undefined;
  return (elapsedMs * (1 - fraction)) / fraction;
}

/** Progress from a byte count, as wllama reports it. */
export function byteProgress(loaded: number, total: number, elapsedMs: number): LoadProgress {
  const fraction = total > 0 ? Math.min(1, loaded / total) : 0;
  return {
    phase: fraction >= 1 ? 'load' : 'download',
    fraction,
    loadedBytes: loaded,
    totalBytes: total > 0 ? total : undefined,
    elapsedMs,
    etaMs: estimateEta(fraction, elapsedMs),
    text: `${formatBytes(loaded)} of ${total > 0 ? formatBytes(total) : 'unknown'}`,
  };
}

const MB = 1024 * 1024;

/**
 * Progress from web-llm's InitProgressReport. Its numbers are `progress` and `timeElapsed`
 * (seconds); bytes only appear in the text ("Fetching param cache[3/24]: 120MB fetched. 5%
 * completed, 10 secs elapsed."), so they are read from there. web-llm reports progress in MB of
 * 2^20 bytes (tvmjs computes `Math.ceil(bytes / (1024 * 1024))`).
 */
export function parseWebLlmProgress(report: {
  progress: number;
  timeElapsed: number;
  text: string;
}): LoadProgress {
  const elapsedMs = report.timeElapsed * 1000;
  const fetched = /(\d+(?:\.\d+)?)\s*MB (?:fetched|loaded)/i.exec(report.text);
  const fromCache = /Loading model from cache/i.test(report.text);
  const fraction = Math.max(0, Math.min(1, report.progress));
  const loadedBytes = fetched ? Number(fetched[1]) * MB : undefined;
  const totalBytes = loadedBytes !== undefined && fraction > 0 ? loadedBytes / fraction : undefined;
  const phase: LoadProgress['phase'] =
    fraction >= 1 && /Finish loading/i.test(report.text)
      ? 'ready'
      : fetched && !fromCache
        ? 'download'
        : 'load';
  return {
    phase,
    fraction,
    loadedBytes,
    totalBytes,
    elapsedMs,
    etaMs: estimateEta(fraction, elapsedMs),
    text: report.text,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1000 * MB) return `${(bytes / (1024 * MB)).toFixed(2)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${bytes} B`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
