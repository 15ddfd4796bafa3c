/**
 * Test doubles the UI's end-to-end tests put into the built app (bundled by esbuild and added
 * with addInitScript): the scripted landscape LLM — the one stand-in the house rules allow — and,
 * only while the browser's Pyodide executor (src/executor/browser.ts) is not built yet, the
 * landscape's scripted grader. The app picks them up in src/app/context.ts; it never installs
 * them itself.
 */
import type { LlmPort } from '../../src/core/ports';
import { landscapeExec, landscapeLlm } from '../support/landscape';
import { unseededSampling } from '../support/runner-fixture';

declare const ATHANOR_TEST_OPTIONS: { delayMs: number; exec: boolean };

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

const g = globalThis as { __athanorScriptedLlm?: LlmPort; __athanorTestExec?: unknown };
g.__athanorScriptedLlm = slow(unseededSampling(landscapeLlm()), ATHANOR_TEST_OPTIONS.delayMs);
if (ATHANOR_TEST_OPTIONS.exec) g.__athanorTestExec = landscapeExec();
