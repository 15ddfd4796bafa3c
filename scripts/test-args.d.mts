// Types for scripts/test-args.mjs (plain JavaScript: scripts/test.mjs runs without a compiler).
export function projectsOf(args: string[]): string[];
export function needsBuild(args: string[]): boolean;
