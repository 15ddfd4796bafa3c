/** Where tests find the repo, the built site and the shared real data. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSharedPin, SHARED_PINS } from './models';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built site; ATHANOR_DIST lets parallel work build somewhere else. */
export const distDir = resolve(repoRoot, process.env.ATHANOR_DIST ?? 'dist');
export const sharedDir = resolve(repoRoot, '../shared');
export const datasetsDir = resolve(sharedDir, 'datasets');
export const modelsDir = resolve(sharedDir, 'models');

/**
 * Path of a file under ../shared, or undefined when it is missing. Under CI (CI set to any
 * non-empty value: `true`, `1`, `yes`...) a missing file is an error, never a skip: a suite that
 * quietly skips its real data proves nothing.
 */
export function sharedFile(...parts: string[]): string | undefined {
  const path = resolve(sharedDir, ...parts);
  if (existsSync(path)) {
    checkSharedPin(parts.join('/'), path);
    return path;
  }
  if (process.env.CI) {
    throw new Error(
      `Missing ${path}: CI must have ../shared beside the repo (datasets and models).`,
    );
  }
  return undefined;
}

/** Like sharedFile, but always required. */
export function requireShared(...parts: string[]): string {
  const path = sharedFile(...parts);
  if (!path)
    throw new Error(`Missing ${resolve(sharedDir, ...parts)}: put ../shared beside the repo.`);
  return path;
}

/**
 * Checks every pinned file under ../shared that is there (SHARED_PINS): the test servers call it
 * when they mount ../shared, since pages fetch the files by URL.
 */
export function checkSharedPins(): void {
  for (const rel of Object.keys(SHARED_PINS)) {
    const path = resolve(sharedDir, rel);
    if (existsSync(path)) checkSharedPin(rel, path);
  }
}
