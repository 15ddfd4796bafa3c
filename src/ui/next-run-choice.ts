/**
 * A model picked on the Models page for the optimizer role of the next run ("Use as optimizer
 * model"), handed to the New-run form, which takes it once. Kept in sessionStorage: a choice for
 * this visit, not a setting.
 */
const KEY = 'athanor.nextOptimizerModel';

/** `engine:id`, as the New-run form's model selects key their options. */
export function chooseOptimizerModel(modelKey: string): void {
  try {
    sessionStorage.setItem(KEY, modelKey);
  } catch {
    // Storage refused (private mode, quota): the choice is simply not carried over.
  }
}

/** The chosen optimizer model, removed as it is read. */
export function takeOptimizerModel(): string | undefined {
  const v = peekOptimizerModel();
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused: nothing was kept to remove.
  }
  return v;
}

/** The chosen optimizer model, left in place (for the Models page to show it). */
export function peekOptimizerModel(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
