/** Small formatting helpers shared by the run pages. */
export const pct = (x: number | undefined | null, digits = 1): string =>
  x === undefined || x === null || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`;

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const when = (t: number): string => new Date(t).toLocaleString();

export const shortId = (id: string): string => id.slice(0, 8);

/** Save text as a file through a temporary link (no server involved). */
export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
