// Types for scripts/test-deaths.mjs (plain JavaScript: scripts/test.mjs runs without a compiler).
export interface KnownDeath {
  name: string;
  upstream: string;
  patterns: RegExp[];
}
export const KNOWN_DEATHS: KnownDeath[];
export function lastWordsCollector(): { push(line: string): void; deaths(): string[] };
export function gist(text: string): string;
export function explainDeaths(
  died: number,
  evidence: string[],
  known?: KnownDeath[],
): { known: boolean; why: string };
