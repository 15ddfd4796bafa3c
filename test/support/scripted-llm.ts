/**
 * A scripted LlmPort for tests and benches: its answer is a pure function of the request, so a
 * run against it is deterministic and a repeated request gets the same answer (as a temperature-0
 * or fixed-seed request would from a real engine). It records every request it was sent.
 *
 * This is the one seam where a stand-in is allowed (the LLM); the executor stays real in
 * integration tests.
 */
import type { LlmPort } from '../../src/core/ports';
import type {
  Completion,
  CompletionRequest,
  ExecJob,
  ExecResult,
  FinishReason,
} from '../../src/core/types';
import type { ExecPort } from '../../src/core/ports';

export type ScriptAnswer = string | { text: string; finishReason?: FinishReason };

export interface ScriptedLlm extends LlmPort {
  /** Every request, in order. */
  readonly requests: CompletionRequest[];
}

/** FNV-1a over a string: a small, stable hash for picking scripted answers. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A stable hash of the whole request (messages, sampling incl. seed, purpose). */
export const requestHash = (req: CompletionRequest): number =>
  fnv1a(
    JSON.stringify([
      req.messages,
      req.sampling.temperature,
      req.sampling.seed ?? null,
      req.purpose,
    ]),
  );

const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

export function scriptedLlm(
  respond: (req: CompletionRequest) => ScriptAnswer,
  modelId = 'scripted',
): ScriptedLlm {
  const requests: CompletionRequest[] = [];
  return {
    modelId,
    requests,
    complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      signal?.throwIfAborted();
      requests.push(structuredClone(req));
      const a = respond(req);
      const text = typeof a === 'string' ? a : a.text;
      const promptChars = req.messages.reduce((n, m) => n + m.content.length, 0);
      return Promise.resolve({
        text,
        usage: { promptTokens: Math.ceil(promptChars / 4), completionTokens: estimateTokens(text) },
        latencyMs: 0,
        model: modelId,
        finishReason: typeof a === 'string' ? 'stop' : (a.finishReason ?? 'stop'),
      });
    },
  };
}

export const systemOf = (req: CompletionRequest): string =>
  req.messages.find((m) => m.role === 'system')?.content ?? '';

export const lastUser = (req: CompletionRequest): string =>
  [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/**
 * An LLM port whose every call moves a test's clock on by `stepMs`, so a minutes budget is
 * reachable without waiting; pass `clock` to the context.
 */
export function clockedLlm(inner: LlmPort, stepMs: number): { llm: LlmPort; clock: () => number } {
  let now = 0;
  return {
    llm: {
      modelId: inner.modelId,
      complete: (req, signal) => {
        now += stepMs;
        return inner.complete(req, signal);
      },
    },
    clock: () => now,
  };
}

/**
 * An in-memory completion cache in front of a port, keyed by the whole request, for deterministic
 * requests only (temperature 0, or a fixed seed) — the rule the engines' cache follows.
 */
export function cachedLlm(inner: LlmPort): LlmPort & { hits: number } {
  const cache = new Map<string, Completion>();
  const port = {
    modelId: inner.modelId,
    hits: 0,
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      const deterministic = req.sampling.temperature === 0 || req.sampling.seed !== undefined;
      const key = JSON.stringify([inner.modelId, req.messages, req.sampling]);
      const hit = deterministic ? cache.get(key) : undefined;
      if (hit) {
        port.hits += 1;
        return { ...hit, latencyMs: 0, cached: true };
      }
      const c = await inner.complete(req, signal);
      if (deterministic) cache.set(key, c);
      return c;
    },
  };
  return port;
}

/**
 * A scripted ExecPort for mechanics tests: `judge` returns the share of tests passed (1 = all)
 * for a program. Real grading happens in the integration tests with Pyodide.
 */
export function scriptedExec(judge: (job: ExecJob) => number): ExecPort & { jobs: ExecJob[] } {
  const jobs: ExecJob[] = [];
  return {
    jobs,
    run(job: ExecJob): Promise<ExecResult> {
      jobs.push(job);
      const soft = Math.max(0, Math.min(1, judge(job)));
      return Promise.resolve({
        passed: soft === 1,
        soft,
        tests: [{ name: 'scripted', outcome: soft === 1 ? 'passed' : 'failed' }],
        stdout: { text: '', truncated: false },
        stderr: { text: '', truncated: false },
        durationMs: 0,
      });
    },
  };
}
