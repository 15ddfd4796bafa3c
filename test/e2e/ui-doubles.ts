/**
 * The test double the UI's end-to-end tests put into the built app (bundled by esbuild and added
 * with addInitScript): the scripted landscape LLM, the one stand-in the house rules allow. Code is
 * still graded by the app's real Pyodide pool. The app picks the double up in src/app/context.ts
 * (engine `scripted`); it never installs it itself.
 */
import type { LlmPort } from '../../src/core/ports';
import { landscapeLlm } from '../support/landscape';
import { unseededSampling } from '../support/runner-fixture';

declare const ATHANOR_TEST_OPTIONS: { delayMs: number };

function slow(inner: LlmPort, ms: number): LlmPort {
  return {
    modelId: inner.modelId,
    complete: async (req, signal) => {
      // A model takes time: this keeps a run long enough to reload in the middle of it.
      await new Promise((ok) => setTimeout(ok, ms));
      return inner.complete(req, signal);
    },
  };
}

const g = globalThis as {
  __athanorScriptedLlm?: LlmPort;
  __athanorScriptedLlms?: Record<string, LlmPort>;
};
g.__athanorScriptedLlm = slow(unseededSampling(landscapeLlm()), ATHANOR_TEST_OPTIONS.delayMs);
// A separate optimizer model for two-model runs: it reads failure text (the landscape's
// reflective model), under its own model id.
g.__athanorScriptedLlms = {
  'scripted-reflector': slow(
    landscapeLlm({ reflective: true, modelId: 'scripted-reflector' }),
    ATHANOR_TEST_OPTIONS.delayMs,
  ),
};
