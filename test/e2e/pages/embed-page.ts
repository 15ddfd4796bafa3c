/**
 * GPO's relevance retrieval through a real EmbedPort in the browser, for
 * test/e2e/embed-browser.test.ts: the wllama embedder over the tiny real model stories260K (its
 * own mean-pooled hidden states: no embedding GGUF can be downloaded on the test machine), and a
 * GPO run whose context carries that port. The LLM that writes candidates is scripted (the one
 * allowed stand-in), and so is the grader (landscapeExec: the run is about retrieval, not
 * verdicts); the embeddings are real.
 */
import type { EmbedPort } from '../../../src/core/ports';
import { WllamaEmbedder } from '../../../src/engines/wllama-embed';
import { gpo, retrieve, type GpoState, type TrajectoryEntry } from '../../../src/optimizers/gpo';
import { makeCandidate } from '../../../src/optimizers/common';
import { createDirectContext } from '../../../src/optimizers/scoring';
import { landscapeExec, toyTasks } from '../../support/landscape';
import { scriptedLlm } from '../../support/scripted-llm';

const embedder = await WllamaEmbedder.fromUrl('/__shared/models/stories260K.gguf', {
  contextSize: 256,
});
let embedded = 0;
const counted: EmbedPort = {
  modelId: embedder.modelId,
  embed: (texts, signal) => {
    embedded += texts.length;
    return embedder.embed(texts, signal);
  },
};

async function order(query: string, docs: string[], k: number): Promise<string[]> {
  const current = await makeCandidate(query, [], 'seed', 0);
  const entries: TrajectoryEntry[] = docs.map((text, i) => ({
    id: `d${i}`,
    text,
    score: 0.5,
    step: i,
  }));
  const got = await retrieve('relevance', current, entries, k, {
    embed: counted,
    signal: new AbortController().signal,
  });
  return got.map((e) => e.text);
}

/** A GPO run with the real embedder, a scripted writer that paraphrases, and 8 steps. */
async function runGpo(): Promise<{
  budgets: GpoState['budgets'];
  variants: GpoState['variants'];
  stopReason: string | undefined;
  embedded: number;
}> {
  let n = 0;
  const llm = scriptedLlm((req) => {
    if (req.purpose === 'generate') return 'def f():\n    return 1';
    n += 1;
    return `<START>Once upon a time a careful coder ${n} read the task twice and wrote clean code with tests.<END>`;
  });
  const ctx = createDirectContext({
    llm,
    exec: landscapeExec(),
    train: toyTasks(3),
    embed: counted,
  });
  let s = await gpo.init(
    {
      knobs: { steps: 8, candidates: 3, trainTasks: 3, patience: 20, lMax: 20 },
      seed: 5,
      initialPrompt: 'Write correct Python code.',
    },
    ctx,
  );
  const before = embedded;
  while (!s.done) s = await gpo.step(s, ctx);
  return {
    budgets: s.budgets,
    variants: s.variants,
    stopReason: s.stopReason,
    embedded: embedded - before,
  };
}

declare global {
  interface Window {
    embedPage: {
      modelId: string;
      embed: (texts: string[]) => Promise<number[][]>;
      order: typeof order;
      runGpo: typeof runGpo;
    };
  }
}

window.embedPage = {
  modelId: embedder.modelId,
  embed: (texts) => embedder.embed(texts),
  order,
  runGpo,
};
document.getElementById('status')!.textContent = 'ready';
