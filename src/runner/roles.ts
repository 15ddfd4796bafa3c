/**
 * Two roles, two models: the task model writes the code that is graded (requests of purpose
 * `generate`), the optimizer model does everything else a method asks (mutate, rewrite, reflect,
 * judge; Prochemy's task augmentation too). Routing by purpose keeps the methods unaware of it:
 * `ctx.score` asks for `generate`, `ctx.complete` for the rest.
 *
 * Each answer is keyed (call log, completion cache, replay) under the model that gave it, so the
 * two roles never share a cache entry and a replay routes each recorded answer back to its role.
 */
import { ContextGuard } from '../core/context-window';
import type { LlmPort } from '../core/ports';
import type { CompletionRequest, Purpose } from '../core/types';
import type { ModelRole } from '../store/records';

export const roleOf = (purpose: Purpose): ModelRole =>
  purpose === 'generate' ? 'task' : 'optimizer';

/** An LlmPort that knows which model answers a request. */
export interface RoutedLlm extends LlmPort {
  modelIdFor(req: CompletionRequest): string;
  readonly roles: { task: LlmPort; optimizer: LlmPort };
}

export function routeByRole(task: LlmPort, optimizer: LlmPort): RoutedLlm {
  const pick = (req: CompletionRequest): LlmPort =>
    roleOf(req.purpose) === 'task' ? task : optimizer;
  return {
    modelId: task.modelId,
    roles: { task, optimizer },
    // The scorer runs ahead only on code generation, which is the task model's.
    ...(task.concurrency !== undefined ? { concurrency: task.concurrency } : {}),
    prefetch: async (req, signal) => pick(req).prefetch?.(req, signal),
    modelIdFor: (req) => pick(req).modelId,
    complete: (req, signal) => pick(req).complete(req, signal),
  };
}

const isRouted = (llm: LlmPort): llm is RoutedLlm => 'roles' in llm && 'modelIdFor' in llm;

/**
 * The run's port with every request measured against the window of the model that answers it
 * (core/context-window.ts), and the `fit` methods trim their meta-prompts by: those go to the
 * optimizer model.
 */
export function guardWindows(llm: LlmPort): { port: LlmPort; fit: ContextGuard['fit'] } {
  if (!isRouted(llm)) {
    const guard = new ContextGuard(llm);
    return { port: guard, fit: (req) => guard.fit(req) };
  }
  const optimizer = new ContextGuard(llm.roles.optimizer);
  return {
    port: routeByRole(new ContextGuard(llm.roles.task), optimizer),
    fit: (req) => optimizer.fit(req),
  };
}

/** The model a port sends this request to (the port's own model unless it routes). */
export const modelIdFor = (llm: LlmPort, req: CompletionRequest): string =>
  'modelIdFor' in llm && typeof llm.modelIdFor === 'function'
    ? (llm as RoutedLlm).modelIdFor(req)
    : llm.modelId;
