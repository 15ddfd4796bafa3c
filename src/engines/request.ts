/**
 * What every engine does the same way around a request: cancellation through the caller's
 * AbortSignal, the per-request time limit, and turning either into the named error.
 */
import type { ChatMessage, CompletionRequest } from '../core/types';
import { RequestAbortedError, RequestTimeoutError } from './errors';

/**
 * Runs `work` with one signal that fires on the caller's abort or on the request's timeout, and
 * rejects with RequestAbortedError / RequestTimeoutError accordingly (whatever the engine threw
 * while being stopped). Rejects at once when the caller's signal is already aborted.
 */
export async function withRequestSignal<T>(
  req: Pick<CompletionRequest, 'timeoutMs'>,
  signal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new RequestAbortedError();
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(new RequestAbortedError());
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    req.timeoutMs !== undefined && req.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new RequestTimeoutError(req.timeoutMs ?? 0));
        }, req.timeoutMs)
      : undefined;
  // Some engines stop late (a token already in flight); the race settles the request at once.
  const stopped = new Promise<never>((_ok, fail) => {
    controller.signal.addEventListener('abort', () => fail(controller.signal.reason as Error), {
      once: true,
    });
  });
  stopped.catch(() => undefined);
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } catch (err) {
    if (timedOut) throw new RequestTimeoutError(req.timeoutMs ?? 0);
    if (signal?.aborted) throw new RequestAbortedError();
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Cuts `text` at the earliest stop string (the stop string itself is not part of the answer, as
 * in the OpenAI API). Engines honour `stop` themselves; this makes the contract hold whatever
 * an engine returns past it.
 */
export function cutAtStop(
  text: string,
  stop: readonly string[] | undefined,
): { text: string; stopped: boolean } {
  let cut = -1;
  for (const s of stop ?? []) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

/**
 * A plain transcript for models that ship no chat template (base models such as the tiny
 * stories260K): each message on its own paragraph, ending where the assistant should speak.
 */
export function transcript(messages: readonly ChatMessage[]): string {
  const parts = messages.map((m) =>
    m.role === 'system' ? m.content : `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`,
  );
  return `${parts.join('\n\n')}\n\nAssistant:`;
}

/** A one-line description of a request for error messages and logs. */
export function describeRequest(modelId: string, req: CompletionRequest): string {
  const last = req.messages.at(-1)?.content ?? '';
  const head = last.length > 60 ? `${last.slice(0, 57)}...` : last;
  return `${req.purpose} on ${modelId}, temperature ${req.sampling.temperature}, "${head.replace(/\s+/g, ' ')}"`;
}
