/**
 * Which runs were interrupted: marked `running` in the store while no tab holds their Web Lock
 * (runner/runLockName), because the tab or the whole browser that drove them died. The store
 * alone cannot tell (a killed tab writes nothing on its way out); the lock manager can, because
 * the browser releases a dead tab's locks.
 *
 * Also the Settings option "resume interrupted runs when Athanor opens" (off by default) and the
 * one-click resume the Runs list and Home offer. The runner is loaded only when a run is resumed,
 * so Home stays light.
 */
import { runLockName } from '../runner/lock';
import { db } from '../store/db';
import type { RunRecord } from '../store/records';

/** Ids of the runs some tab of this origin drives now; undefined without Web Locks. */
export async function drivenRunIds(): Promise<Set<string> | undefined> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return undefined;
  const { held = [] } = await locks.query();
  const prefix = runLockName('');
  return new Set(
    held.flatMap((l) => (l.name?.startsWith(prefix) ? [l.name.slice(prefix.length)] : [])),
  );
}

/**
 * True when the run says it is running but nobody drives it. Without Web Locks nothing can be
 * known, and the run is shown as the store says.
 */
export function isInterrupted(
  run: Pick<RunRecord, 'id' | 'status'>,
  driven: Set<string> | undefined,
): boolean {
  return run.status === 'running' && driven !== undefined && !driven.has(run.id);
}

/** How often the lock manager is asked again: locks cannot be observed, only queried. */
const POLL_MS = 1500;

/**
 * Calls `onChange` with the ids of the runs driven now, at once and whenever they may have
 * changed (every POLL_MS, and when the tab becomes visible). Returns the stop function.
 */
export function watchDrivers(onChange: (driven: Set<string> | undefined) => void): () => void {
  let stopped = false;
  let last: string | undefined;
  const check = async (): Promise<void> => {
    const driven = await drivenRunIds().catch(() => undefined);
    const sig = driven ? [...driven].sort().join(',') : '-';
    if (!stopped && sig !== last) {
      last = sig;
      onChange(driven);
    }
  };
  void check();
  const timer = setInterval(() => void check(), POLL_MS);
  const onVisible = (): void => void check();
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    stopped = true;
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

/**
 * Resume a run in this tab. Resolves once the drive has begun (or was refused); the drive goes on
 * in the background and its end is written to the run record, where every page sees it.
 */
export async function resumeRun(runId: string): Promise<void> {
  const runner = await (await import('../app/context')).appRunner();
  const drive = runner.resume(runId);
  // A refusal (another tab took it, the run finished meanwhile) comes at once; show it.
  const refused = await Promise.race([
    drive.then(
      () => undefined,
      (e: unknown) => e,
    ),
    new Promise<undefined>((ok) => setTimeout(() => ok(undefined), 200)),
  ]);
  if (refused) throw refused;
  drive.catch(() => undefined);
}

const AUTO_RESUME_KEY = 'ui:resume-interrupted-on-open';

export async function autoResumeEnabled(): Promise<boolean> {
  return (await db().settings.get(AUTO_RESUME_KEY))?.value === true;
}

export async function setAutoResume(on: boolean): Promise<void> {
  await db().settings.put({ key: AUTO_RESUME_KEY, value: on });
}

/**
 * When the option is on: resume, in this tab, every interrupted run. Two tabs opening at once
 * cannot both drive a run (the Web Lock refuses the second, which then leaves it alone).
 * Returns the ids it resumed.
 */
export async function resumeInterruptedOnOpen(): Promise<string[]> {
  if (!(await autoResumeEnabled())) return [];
  const driven = await drivenRunIds();
  if (!driven) return [];
  const running = await db().runs.where('status').equals('running').toArray();
  const ids = running.filter((r) => isInterrupted(r, driven)).map((r) => r.id);
  if (ids.length === 0) return [];
  const runner = await (await import('../app/context')).appRunner();
  for (const id of ids) {
    runner.resume(id).catch((e: unknown) => {
      if ((e as Error).name !== 'RunBusyError') console.warn(`Resuming run ${id} failed:`, e);
    });
  }
  return ids;
}
