/**
 * The failures a user can meet when running a model in the browser, as named classes (like
 * web-llm's own), each with a sentence saying what to do. The UI shows `message`; code branches on
 * the class or on `code`. Everything here is plain data so that it survives a worker boundary
 * (see `toEngineError`, which rebuilds the class from `name` on the other side).
 */

export type EngineErrorCode =
  | 'no-webgpu'
  | 'missing-feature'
  | 'out-of-memory'
  | 'download-failed'
  | 'device-lost'
  | 'model-not-loaded'
  | 'bad-model-file'
  | 'replay-miss'
  | 'timeout'
  | 'aborted'
  // A model server reached over the OpenAI API (src/engines/server-errors.ts).
  | 'server-unreachable'
  | 'server-cors'
  | 'mixed-content'
  | 'private-network'
  | 'server-auth'
  | 'server-http'
  | 'server-response'
  | 'server-fault';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** One sentence the UI can show under the message: what the user should do. */
  readonly hint: string;

  constructor(code: EngineErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(`${message} ${hint}`.trim(), options);
    this.name = 'EngineError';
    this.code = code;
    this.hint = hint;
  }
}

export class WebGpuUnavailableError extends EngineError {
  constructor(reason: string) {
    super(
      'no-webgpu',
      `WebGPU is not available in this browser (${reason}).`,
      'Use a browser with WebGPU (a recent Chrome, Edge or Safari), or pick a CPU model (wllama) instead.',
    );
    this.name = 'WebGpuUnavailableError';
  }
}

export class MissingFeatureError extends EngineError {
  readonly feature: string;
  constructor(modelId: string, feature: string) {
    super(
      'missing-feature',
      `The model ${modelId} needs the GPU feature "${feature}", which this adapter lacks.`,
      feature === 'shader-f16'
        ? 'Pick the q4f32 build of the same model (the catalogue does this for you), or a CPU model.'
        : 'Pick another model, or a CPU model (wllama).',
    );
    this.name = 'MissingFeatureError';
    this.feature = feature;
  }
}

export class OutOfMemoryError extends EngineError {
  constructor(modelId: string, detail: string) {
    super(
      'out-of-memory',
      `Not enough memory to load ${modelId} (${detail}).`,
      'Close other tabs, or pick a smaller model (fewer parameters, or a "-1k" context build).',
    );
    this.name = 'OutOfMemoryError';
  }
}

export type DownloadFailure = 'offline' | 'not-found' | 'wrong-file' | 'http';

export class ModelDownloadError extends EngineError {
  readonly failure: DownloadFailure;
  readonly url: string;
  constructor(failure: DownloadFailure, url: string, detail: string) {
    const hints: Record<DownloadFailure, string> = {
      offline:
        'Check the network connection (or that the classroom host is up), then try again; models already downloaded still work offline.',
      'not-found':
        'Check the model URL: self-hosted WebLLM weights must sit under <base>/resolve/main/ (see docs/models.md).',
      'wrong-file':
        'The URL answered, but not with a model: check that the model URL and the model library URL point at the files of the same model build.',
      http: 'The host refused the download; try again later or use another host.',
    };
    super(
      'download-failed',
      `Could not download the model from ${url}: ${detail}.`,
      hints[failure],
    );
    this.name = 'ModelDownloadError';
    this.failure = failure;
    this.url = url;
  }
}

export class DeviceLostError extends EngineError {
  constructor(detail: string) {
    super(
      'device-lost',
      `The GPU device was lost during a run (${detail}); the engine was reloaded and the request retried once, and it failed again.`,
      'Close other GPU-heavy tabs, update the graphics driver, or switch to a smaller or CPU model.',
    );
    this.name = 'DeviceLostError';
  }
}

export class ModelNotLoadedError extends EngineError {
  constructor(what: string) {
    super(
      'model-not-loaded',
      `No model is loaded (${what}).`,
      'Load a model on the Models page first.',
    );
    this.name = 'ModelNotLoadedError';
  }
}

export class BadModelFileError extends EngineError {
  constructor(source: string, detail: string) {
    super(
      'bad-model-file',
      `${source} is not a usable GGUF model (${detail}).`,
      'Pick a .gguf file (a llama.cpp model, e.g. a Q4_K_M build), not a safetensors or partial download.',
    );
    this.name = 'BadModelFileError';
  }
}

export class ReplayMissError extends EngineError {
  readonly key: string;
  constructor(key: string, summary: string, reason: 'missing' | 'exhausted') {
    super(
      'replay-miss',
      reason === 'missing'
        ? `The recorded log has no answer for request ${key.slice(0, 12)} (${summary}).`
        : `The recorded log has no more answers for request ${key.slice(0, 12)} (${summary}); it was asked more often than in the recorded run.`,
      'Replay re-runs a recorded run exactly: use the same prompts, model id and sampling settings, or run on a live model.',
    );
    this.name = 'ReplayMissError';
    this.key = key;
  }
}

export class RequestTimeoutError extends EngineError {
  constructor(timeoutMs: number) {
    super(
      'timeout',
      `The model did not answer within ${timeoutMs} ms.`,
      'Raise the per-request time limit, lower max_tokens, or pick a faster model.',
    );
    this.name = 'TimeoutError';
  }
}

export class RequestAbortedError extends EngineError {
  constructor() {
    super('aborted', 'The request was cancelled.', '');
    this.name = 'AbortError';
  }
}
