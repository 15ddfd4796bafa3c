/**
 * The Web Lock a tab holds while it drives a run. Any tab can ask `navigator.locks.query()` who
 * holds it: a run marked running whose lock nobody holds was interrupted (its tab died). Its own
 * module so that light pages can ask without loading the runner.
 */
export const runLockName = (runId: string): string => `athanor:run:${runId}`;
