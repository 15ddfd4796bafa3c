/**
 * What scripts/test.mjs reads from its arguments (the rest goes to Vitest as given).
 */

/**
 * The Vitest projects asked for, `--project x` or `--project=x`; none means every project.
 * @param {string[]} args
 * @returns {string[]}
 */
export function projectsOf(args) {
  return args.flatMap((a, i) =>
    a === '--project' ? [args[i + 1] ?? ''] : a.startsWith('--project=') ? [a.slice(10)] : [],
  );
}

/**
 * Whether the site must be built first: the end-to-end suites test the built app, so whenever
 * they run (every project, or e2e among those asked for).
 * @param {string[]} args
 */
export function needsBuild(args) {
  const projects = projectsOf(args);
  return projects.length === 0 || projects.includes('e2e');
}
