/**
 * requestPersistence and storageReport over a fake navigator.storage (Node has none); the real
 * StorageManager is exercised in Chromium by test/e2e/runner-tabs.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestPersistence, storageReport } from '../../src/store/storage';

function fakeStorage(o: { persisted: boolean; grant: boolean; usage?: number; quota?: number }) {
  const calls = { persist: 0 };
  const storage = {
    persisted: () => Promise.resolve(o.persisted),
    persist: () => {
      calls.persist++;
      return Promise.resolve(o.grant);
    },
    estimate: () =>
      Promise.resolve({
        ...(o.usage !== undefined ? { usage: o.usage } : {}),
        ...(o.quota !== undefined ? { quota: o.quota } : {}),
      }),
  };
  vi.stubGlobal('navigator', { storage });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('requestPersistence', () => {
  it('does not ask again when storage is already persistent', async () => {
    const calls = fakeStorage({ persisted: true, grant: false });
    expect(await requestPersistence()).toBe(true);
    expect(calls.persist).toBe(0);
  });

  it('asks, and reports what the browser answered', async () => {
    const granted = fakeStorage({ persisted: false, grant: true });
    expect(await requestPersistence()).toBe(true);
    expect(granted.persist).toBe(1);
    const refused = fakeStorage({ persisted: false, grant: false });
    expect(await requestPersistence()).toBe(false);
    expect(refused.persist).toBe(1);
  });

  it('answers false where there is no StorageManager', async () => {
    vi.stubGlobal('navigator', {});
    expect(await requestPersistence()).toBe(false);
  });
});

describe('storageReport', () => {
  it('reports usage, quota and persistence', async () => {
    fakeStorage({ persisted: true, grant: true, usage: 1234, quota: 5_000_000 });
    expect(await storageReport()).toEqual({
      usage: 1234,
      quota: 5_000_000,
      persisted: true,
      supported: true,
    });
  });

  it('says null for figures the browser withholds, and unsupported without a StorageManager', async () => {
    fakeStorage({ persisted: false, grant: false });
    expect(await storageReport()).toEqual({
      usage: null,
      quota: null,
      persisted: false,
      supported: true,
    });
    vi.stubGlobal('navigator', {});
    expect(await storageReport()).toEqual({
      usage: null,
      quota: null,
      persisted: false,
      supported: false,
    });
  });
});
