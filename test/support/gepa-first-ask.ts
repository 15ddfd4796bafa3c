/**
 * GEPA on the reflective landscape where the first ask of every reflection is answered by
 * `firstAnswer(request)` (a model that misreads the request), and every re-ask by
 * `reaskAnswer(request)` or else the landscape's own reflection. Tests read what was asked and which proposals reached scoring.
 */
import type { CompletionRequest } from '../../src/core/types';
import { gepa } from '../../src/optimizers/gepa/gepa';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, landscapeLlm, toyTasks } from './landscape';
import { runToEnd } from './run-optimizer';

export async function gepaWithFirstAsk(
  firstAnswer: (request: string) => string,
  initialPrompt: string,
  reaskAnswer?: (request: string) => string,
) {
  const inner = landscapeLlm({ reflective: true });
  const llm = {
    ...inner,
    async complete(req: CompletionRequest, signal?: AbortSignal) {
      const c = await inner.complete(req, signal);
      if (req.purpose !== 'mutate') return c;
      const request = req.messages[0]!.content;
      if (req.messages.length === 1) return { ...c, text: firstAnswer(request) };
      return reaskAnswer ? { ...c, text: reaskAnswer(request) } : c;
    },
  };
  const ctx = createDirectContext({
    llm,
    exec: landscapeExec({ revealTopic: true }),
    train: toyTasks(30),
  });
  const { final } = await runToEnd(
    gepa,
    { knobs: { iterations: 4, merge: false }, seed: 1, initialPrompt },
    ctx,
  );
  const mutate = inner.requests.filter((r) => r.purpose === 'mutate');
  return {
    mutate,
    firstAsks: mutate.filter((r) => r.messages.length === 1).length,
    proposals: [...final.candidates, ...final.rejected].filter((c) => c.origin.kind === 'reflect'),
  };
}
