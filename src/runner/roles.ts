/**
 * Two roles, two models: the task model writes the code that is graded (requests of purpose
 * `generate`), the optimizer model does everything else a method asks (mutate, rewrite, reflect,
 * judge; Prochemy's task augmentation too). Routing by purpose keeps the methods unaware of it:
 * `ctx.score` asks for `generate`, `ctx.complete` for the rest.
 *
 * Each answer is keyed (call log, completion cache, replay) under the model that gave it, so the
 * two roles never share a cache entry and a replay routes each recorded answer back to its role.
 */
import type { LlmPort } from '../core/ports';
import type { CompletionRequest, Purpose } from '../core/types';
import type { ModelRole } from '../store/records';

export const roleOf = (purpose: Purpose): ModelRole =>
  purpose === 'generate' ? 'task' : 'optimizer';

/** An LlmPort that knows which model answers a request. */
export interface RoutedLlm extends LlmPort {
  modelIdFor(req: CompletionRequest): string;
}

export function routeByRole(task: LlmPort, optimizer: LlmPort): RoutedLlm {
  const pick = (req: CompletionRequest): LlmPort =>
    roleOf(req.purpose) === 'task' ? task : optimizer;
  return {
    modelId: task.modelId,
    modelIdFor: (req) => pick(req).modelId,
    complete: (req, signal) => pick(req).complete(req, signal),
  };
}

/** The model a port sends this request to (the port's own model unless it routes). */
export const modelIdFor = (llm: LlmPort, req: CompletionRequest): string =>
  'modelIdFor' in llm && typeof llm.modelIdFor === 'function'
    ? (llm as RoutedLlm).modelIdFor(req)
    : llm.modelId;
