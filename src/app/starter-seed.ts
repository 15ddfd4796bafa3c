/**
 * First start: the starter task set goes into the store (once; see DatasetRepository.seedOnce).
 * Kept apart from tasks-browser.ts so that app start-up does not load the executor's wiring.
 */
import { starterDataset } from './tasks';
import { db } from '../store/db';
import { DatasetRepository } from '../store/datasets';

export async function seedStarterOnFirstStart(): Promise<boolean> {
  try {
    const { record, tasks } = starterDataset();
    return await new DatasetRepository(db()).seedOnce(record, tasks);
  } catch (err) {
    // Seeding is a convenience: a failure (private mode without IndexedDB, ...) must not break the app.
    console.warn('Athanor: the starter task set could not be stored:', err);
    return false;
  }
}
