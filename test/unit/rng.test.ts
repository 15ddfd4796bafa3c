import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';

describe('Rng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = Rng.seeded(42);
    const b = Rng.seeded(42);
    const c = Rng.seeded(43);
    const sa = Array.from({ length: 20 }, () => a.nextU32());
    const sb = Array.from({ length: 20 }, () => b.nextU32());
    const sc = Array.from({ length: 20 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('matches the reference xoshiro128** output for a known state', () => {
    // Reference values from the C implementation (xoshiro128starstar.c) with s = {1, 2, 3, 4}.
    const rng = Rng.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 6 }, () => rng.nextU32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('resumes exactly from a saved state, including through JSON', () => {
    const rng = Rng.seeded(7);
    for (let i = 0; i < 100; i++) rng.float();
    const saved = JSON.parse(JSON.stringify(rng.getState())) as [number, number, number, number];
    const expected = Array.from({ length: 50 }, () => rng.float());
    const resumed = Rng.fromState(saved);
    expect(Array.from({ length: 50 }, () => resumed.float())).toEqual(expected);
  });

  it('getState returns a copy, not a live view', () => {
    const rng = Rng.seeded(1);
    const state = rng.getState();
    rng.nextU32();
    expect(rng.getState()).not.toEqual(state);
  });

  it('rejects invalid states and seeds', () => {
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/all zeros/);
    expect(() => Rng.fromState([1, 2, 3, -1])).toThrow(RangeError);
    expect(() => Rng.fromState([1, 2, 3, 2 ** 32])).toThrow(RangeError);
    expect(() => Rng.seeded(Number.NaN)).toThrow(RangeError);
  });

  it('float stays in [0, 1) and is roughly uniform (chi-square, 10 bins)', () => {
    const rng = Rng.seeded(123);
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = rng.float();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 10)]! += 1;
    }
    const expected = n / 10;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: p = 0.001 at 27.88.
    expect(chi2).toBeLessThan(27.88);
  });

  it('int covers its inclusive range without bias and rejects bad ranges', () => {
    const rng = Rng.seeded(9);
    const counts = new Map<number, number>();
    for (let i = 0; i < 60_000; i++) {
      const v = rng.int(-2, 3);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(3, 2)).toThrow(RangeError);
    expect(() => rng.int(0.5, 2)).toThrow(RangeError);
    expect(rng.int(5, 5)).toBe(5);
  });

  it('shuffle is a permutation and does not touch its input', () => {
    const rng = Rng.seeded(5);
    const input = Array.from({ length: 30 }, (_, i) => i);
    const out = rng.shuffle(input);
    expect(input).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect([...out].sort((a, b) => a - b)).toEqual(input);
    expect(out).not.toEqual(input);
  });

  it('weightedIndex follows the weights and never picks a zero weight', () => {
    const rng = Rng.seeded(11);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[rng.weightedIndex([1, 0, 3])]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
    expect(() => rng.weightedIndex([0, 0])).toThrow(RangeError);
    expect(() => rng.weightedIndex([1, -1])).toThrow(RangeError);
  });

  it('normal has mean ~0 and variance ~1', () => {
    const rng = Rng.seeded(3);
    const xs = Array.from({ length: 50_000 }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('pick and fork are deterministic per seed', () => {
    const a = Rng.seeded(77);
    const b = Rng.seeded(77);
    expect(a.pick(['x', 'y', 'z', 'w'])).toBe(b.pick(['x', 'y', 'z', 'w']));
    expect(a.fork().nextU32()).toBe(b.fork().nextU32());
    expect(() => a.pick([])).toThrow(RangeError);
  });
});
