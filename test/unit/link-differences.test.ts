import { describe, expect, it } from 'vitest';
import { linkDifferences, type FormChoices } from '../../src/ui/link-differences';

const form = (o: Partial<FormChoices> = {}): FormChoices => ({
  method: 'prochemy',
  datasetId: 'starter',
  datasetName: (id) => (id === 'starter' ? 'Athanor starter set' : undefined),
  modelKey: 'wllama:a.gguf',
  modelLabel: (key) => (key === 'wllama:b.gguf' ? 'Model B' : undefined),
  seeds: [1],
  maxCalls: 60,
  maxMinutes: 15,
  samples: 1,
  ...o,
});
const link = {
  method: 'prochemy',
  datasetId: 'starter',
  modelKey: 'wllama:a.gguf',
  seeds: [1],
  maxCalls: 60,
  maxMinutes: 15,
  samples: 1,
  knobs: {},
};

describe('linkDifferences', () => {
  it('is empty when the form holds what the link asks', () => {
    expect(linkDifferences(link, form())).toEqual([]);
  });
  it('says a missing model is not picked yet', () => {
    expect(linkDifferences(link, form({ modelKey: '' }))).toEqual([
      'no model yet, where the link names wllama:a.gguf',
    ]);
  });
  it('names another model by its label and key', () => {
    expect(linkDifferences(link, form({ modelKey: 'wllama:b.gguf' }))).toEqual([
      'model Model B (wllama:b.gguf), where the link names wllama:a.gguf',
    ]);
  });
  it('lists seeds and budget that differ', () => {
    expect(linkDifferences(link, form({ seeds: [1, 2], maxCalls: 30 }))).toEqual([
      'seeds 1, 2, where the link names 1',
      'at most 30 LLM calls per seed, where the link names 60',
    ]);
  });
  it('says nothing of settings the link leaves open', () => {
    expect(linkDifferences({ knobs: {} }, form({ modelKey: '', seeds: [5] }))).toEqual([]);
  });
});
