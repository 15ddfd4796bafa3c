/**
 * A model server that ends answers before they are finished (llama-cpp-python's server cuts a
 * streamed answer when another request waits; vLLM drops requests under load). Engines retry
 * such an answer; when it still does not come whole, they throw an error with this code, and the
 * runner pauses the run and records the fault in its diagnostics instead of grading anything.
 * Here in core so the runner can recognise it without importing an engine.
 */
export const SERVER_FAULT = 'server-fault';

export const isServerFault = (err: unknown): err is Error & { code: typeof SERVER_FAULT } =>
  err instanceof Error && (err as { code?: unknown }).code === SERVER_FAULT;
