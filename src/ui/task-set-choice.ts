/**
 * The task set chosen for New run in this visit (picked in its select, named by a shared link, or
 * used for the last run started), so that New run opens on it again rather than on whichever set
 * was imported last. Kept in sessionStorage: a choice for this visit, not a setting.
 */
const KEY = 'athanor.newRunTaskSet';

export function chooseTaskSet(datasetId: string): void {
  try {
    if (datasetId) sessionStorage.setItem(KEY, datasetId);
  } catch {
    // Storage refused (private mode, quota): the choice is simply not carried over.
  }
}

export function peekTaskSetChoice(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
