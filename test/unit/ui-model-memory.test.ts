/** The New-run page's check that a task model and an optimizer model fit in memory together. */
import { describe, expect, it } from 'vitest';
import { WLLAMA_CATALOGUE } from '../../src/engines/catalogue';
import { checkFit, modelMemoryMB } from '../../src/ui/model-memory';

const coder15 = { engine: 'wllama' as const, modelId: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf' };
const smol = { engine: 'wllama' as const, modelId: 'smollm2-360m-instruct-q8_0.gguf' };
const stories = { engine: 'wllama' as const, modelId: 'stories260K.gguf' };

describe('model memory', () => {
  it('reads catalogue figures and estimates WebLLM families from their size', () => {
    const entry = WLLAMA_CATALOGUE.find((e) => e.id === coder15.modelId)!;
    expect(modelMemoryMB(coder15, [])).toBe(entry.memoryMB);
    const web = modelMemoryMB(
      { engine: 'webllm', modelId: 'Qwen2.5-Coder-1.5B-Instruct-q4f16_1-MLC' },
      [],
    );
    expect(web).toBeGreaterThan(800);
    expect(web).toBeLessThan(1500);
    expect(
      modelMemoryMB({ engine: 'wllama', modelId: 'mine.gguf' }, [
        { id: 'mine.gguf', sizeBytes: 200 * 1024 * 1024 },
      ]),
    ).toBe(264);
    expect(modelMemoryMB({ engine: 'replay', modelId: 'x' }, [])).toBeUndefined();
  });

  it('warns only for two different in-browser models past the budget', () => {
    expect(checkFit(coder15, smol, [], 1200).tooBig).toBe(true);
    expect(checkFit(coder15, smol, [], 4096).tooBig).toBe(false);
    expect(checkFit(coder15, coder15, [], 100).tooBig).toBe(false);
    expect(checkFit(coder15, undefined, [], 100).tooBig).toBe(false);
    expect(checkFit(stories, smol, [], 1200).tooBig).toBe(false);
  });
});
