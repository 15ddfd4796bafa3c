/** Moved to src/app/context.ts (the composition root); kept so existing imports keep working. */
export * from '../app/context';
