/** Pure parts of the engines: progress, stops, threads, catalogue, error mapping, retry, keys. */
import { describe, expect, test } from 'vitest';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import type { CompletionRequest } from '../../src/core/types';
import { completionKey, isDeterministic } from '../../src/engines/cache';
import { webLlmCatalogue, WLLAMA_CATALOGUE } from '../../src/engines/catalogue';
import {
  DeviceLostError,
  EngineError,
  RequestAbortedError,
  RequestTimeoutError,
} from '../../src/engines/errors';
import { webLlmModelBase } from '../../src/engines/preflight';
import {
  byteProgress,
  estimateEta,
  formatBytes,
  parseWebLlmProgress,
} from '../../src/engines/progress';
import { cutAtStop, transcript, withRequestSignal } from '../../src/engines/request';
import { chooseThreadsFor } from '../../src/engines/threads';
import {
  checkAdapter,
  classifyWebLlmError,
  neededFeatures,
  withDeviceLostRetry,
} from '../../src/engines/webllm';
import type { GpuReport } from '../../src/engines/gpu';

const req = (over: Partial<CompletionRequest['sampling']> = {}): CompletionRequest => ({
  messages: [{ role: 'user', content: 'Write add(a, b).' }],
  sampling: { temperature: 0, max_tokens: 64, ...over },
  purpose: 'generate',
});

describe('progress', () => {
  test('reads bytes from web-llm progress text and estimates time left', () => {
    const p = parseWebLlmProgress({
      progress: 0.25,
      timeElapsed: 10,
      text: 'Fetching param cache[3/24]: 120MB fetched. 25% completed, 10 secs elapsed. It can take a while...',
    });
    expect(p.phase).toBe('download');
    expect(p.loadedBytes).toBe(120 * 1024 * 1024);
    expect(p.totalBytes).toBe(480 * 1024 * 1024);
    expect(p.etaMs).toBeCloseTo(30_000);
    const ready = parseWebLlmProgress({
      progress: 1,
      timeElapsed: 42,
      text: 'Finish loading on WebGPU - swiftshader',
    });
    expect(ready.phase).toBe('ready');
    expect(
      parseWebLlmProgress({
        progress: 0.5,
        timeElapsed: 3,
        text: 'Loading model from cache[12/24]: 300MB loaded. 50% completed',
      }).phase,
    ).toBe('load');
  });

  test('byte progress and its formatting', () => {
    expect(byteProgress(512, 1024, 100)).toMatchObject({
      fraction: 0.5,
      etaMs: 100,
      phase: 'download',
    });
    expect(byteProgress(0, 0, 5).fraction).toBe(0);
    expect(estimateEta(0.001, 1000)).toBeUndefined();
    expect(formatBytes(1.5 * 1024 * 1024 * 1024)).toBe('1.50 GB');
    expect(formatBytes(1185376)).toBe('1.1 MB');
  });
});

describe('requests', () => {
  test('cuts at the earliest stop string', () => {
    expect(cutAtStop('abc\n```\nmore', ['```', 'c'])).toEqual({ text: 'ab', stopped: true });
    expect(cutAtStop('abc', ['x', ''])).toEqual({ text: 'abc', stopped: false });
    expect(cutAtStop('abc', undefined)).toEqual({ text: 'abc', stopped: false });
  });

  test('a transcript ends where the assistant speaks', () => {
    const t = transcript([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(t).toBe('Be brief.\n\nUser: Hi\n\nAssistant:');
  });

  test('timeout and abort become named errors; a finished request is untouched', async () => {
    await expect(
      withRequestSignal({ timeoutMs: 10 }, undefined, () => new Promise(() => undefined)),
    ).rejects.toBeInstanceOf(RequestTimeoutError);
    const ac = new AbortController();
    const p = withRequestSignal({}, ac.signal, () => new Promise(() => undefined));
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(RequestAbortedError);
    ac.abort();
    await expect(withRequestSignal({}, ac.signal, () => Promise.resolve(1))).rejects.toBeInstanceOf(
      RequestAbortedError,
    );
    await expect(
      withRequestSignal({ timeoutMs: 1000 }, undefined, () => Promise.resolve(7)),
    ).resolves.toBe(7);
    await expect(
      withRequestSignal({}, undefined, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
  });
});

describe('threads', () => {
  test('one thread without isolation or on one core; half the cores otherwise, at least two', () => {
    expect(chooseThreadsFor(2, true)).toBe(2);
    expect(chooseThreadsFor(3, true)).toBe(2);
    expect(chooseThreadsFor(2, false)).toBe(1);
    expect(chooseThreadsFor(8, false)).toBe(1);
    expect(chooseThreadsFor(8, true)).toBe(4);
    expect(chooseThreadsFor(4, true)).toBe(2);
    expect(chooseThreadsFor(1, true)).toBe(1);
  });
});

describe('catalogue', () => {
  const list = prebuiltAppConfig.model_list;
  test('code models first, q4f16 with shader-f16, q4f32 without', () => {
    const chat = (es: ReturnType<typeof webLlmCatalogue>) =>
      es.filter((e) => e.kind !== 'embedding');
    const f16 = chat(webLlmCatalogue(list, true));
    const f32 = chat(webLlmCatalogue(list, false));
    expect(f16.slice(0, 4).map((e) => e.id)).toEqual(
      ['0.5B', '1.5B', '3B', '7B'].map((s) => `Qwen2.5-Coder-${s}-Instruct-q4f16_1-MLC`),
    );
    expect(
      f32.every((e) => e.id.includes('-q4f32_1-') && !e.requiredFeatures.includes('shader-f16')),
    ).toBe(true);
    expect(f16.every((e) => e.requiredFeatures.includes('shader-f16'))).toBe(true);
    const coder7 = f32.find((e) => e.id.startsWith('Qwen2.5-Coder-7B'))!;
    expect(coder7.memoryMB).toBe(
      Math.round(list.find((r) => r.model_id === coder7.id)!.vram_required_MB!),
    );
    // 7.6 B weights at 5 bits: about 4.8 GB.
    expect(coder7.downloadBytes / 1e9).toBeGreaterThan(4.5);
    expect(coder7.downloadBytes / 1e9).toBeLessThan(5.0);
  });

  test('a small embedding model on each engine, for GPO’s relevance retrieval', () => {
    const web = webLlmCatalogue(list, true).filter((e) => e.kind === 'embedding');
    expect(web.map((e) => e.id)).toEqual(['snowflake-arctic-embed-s-q0f32-MLC-b4']);
    // web-llm lists it as an embedding model (model_type 1), which the embedder relies on.
    expect(list.find((r) => r.model_id === web[0]!.id)?.model_type).toBe(1);
    const gguf = WLLAMA_CATALOGUE.filter((e) => e.kind === 'embedding');
    expect(gguf.map((e) => e.id)).toEqual(['bge-small-en-v1.5-q8_0.gguf']);
    expect(gguf[0]!.downloadBytes).toBeLessThan(50e6);
  });

  test('every GGUF entry is a .gguf URL under 2 GB', () => {
    for (const e of WLLAMA_CATALOGUE) {
      expect(e.model).toMatch(/^https:\/\/.+\.gguf$/);
      expect(e.downloadBytes).toBeLessThan(2 ** 31);
    }
  });

  test('the weights folder gets resolve/main/ as web-llm does', () => {
    expect(webLlmModelBase('https://host/models/Qwen')).toBe(
      'https://host/models/Qwen/resolve/main/',
    );
    expect(webLlmModelBase('https://host/m/resolve/main/')).toBe('https://host/m/resolve/main/');
  });
});

describe('WebLLM checks and error mapping', () => {
  const model = {
    id: 'Qwen2.5-Coder-0.5B-Instruct-q4f16_1-MLC',
    model: 'https://h/m',
    modelLib: 'https://h/m.wasm',
    memoryMB: 945,
  };
  const gpu: GpuReport = { available: true, shaderF16: false, features: ['subgroups'], limits: {} };
  test('adapter checks', () => {
    expect(neededFeatures(model)).toEqual(['shader-f16']);
    expect(() => checkAdapter(model, gpu)).toThrow(/shader-f16/);
    expect(() =>
      checkAdapter(model, { ...gpu, available: false, reason: 'no navigator.gpu' }),
    ).toThrow(/WebGPU is not available/);
    const f32 = { ...model, id: 'x-q4f32_1-MLC', memoryMB: 9000 };
    expect(() => checkAdapter(f32, gpu, 8)).toThrow(/Not enough memory/);
    expect(() => checkAdapter(f32, gpu, undefined)).not.toThrow();
  });

  test.each([
    [
      'Error: WebGPUNotAvailableError: WebGPU is not supported in your current environment',
      'WebGpuUnavailableError',
    ],
    [
      'ShaderF16SupportError: This model requires WebGPU extension shader-f16',
      'MissingFeatureError',
    ],
    ['CompileError: WebAssembly.instantiate(): expected magic word', 'ModelDownloadError'],
    ["TypeError: Failed to execute 'add' on 'Cache': Request failed", 'ModelDownloadError'],
    ['DeviceLostError: The WebGPU device was lost while loading the model', 'OutOfMemoryError'],
    ['RangeError: Array buffer allocation failed', 'OutOfMemoryError'],
  ])('%s -> %s', (message, name) => {
    expect(classifyWebLlmError(new Error(message), model, 'load').name).toBe(name);
  });

  test('a device lost mid-run is a DeviceLostError', () => {
    expect(classifyWebLlmError(new Error('Device was lost'), model, 'run')).toBeInstanceOf(
      DeviceLostError,
    );
    expect(classifyWebLlmError(new Error('something else'), model, 'run')).toBeInstanceOf(
      EngineError,
    );
  });

  test('device lost: reload and retry once, then fail the request', async () => {
    const calls: string[] = [];
    const lost = () => Promise.reject(new Error('GPUDevice was lost'));
    const reload = () => (calls.push('reload'), Promise.resolve());
    let n = 0;
    const flaky = () => (calls.push('try'), n++ === 0 ? lost() : Promise.resolve('ok'));
    await expect(withDeviceLostRetry(flaky, reload)).resolves.toBe('ok');
    expect(calls).toEqual(['try', 'reload', 'try']);
    calls.length = 0;
    await expect(
      withDeviceLostRetry(() => (calls.push('try'), lost()), reload),
    ).rejects.toBeInstanceOf(DeviceLostError);
    expect(calls).toEqual(['try', 'reload', 'try']);
    await expect(
      withDeviceLostRetry(() => Promise.reject(new Error('other')), reload),
    ).rejects.toThrow('other');
  });
});

describe('cache keys', () => {
  test('deterministic means temperature 0 or a fixed seed', () => {
    expect(isDeterministic(req())).toBe(true);
    expect(isDeterministic(req({ temperature: 1, seed: 3 }))).toBe(true);
    expect(isDeterministic(req({ temperature: 1 }))).toBe(false);
  });

  test('keys depend on model, messages and sampling, not on purpose, timeout or key order', async () => {
    const a = await completionKey('m', req());
    expect(await completionKey('m', { ...req(), purpose: 'judge', timeoutMs: 5 })).toBe(a);
    expect(
      await completionKey('m', { ...req(), sampling: { max_tokens: 64, temperature: 0 } }),
    ).toBe(a);
    expect(await completionKey('other', req())).not.toBe(a);
    expect(await completionKey('m', req({ max_tokens: 65 }))).not.toBe(a);
    expect(
      await completionKey('m', {
        ...req(),
        messages: [{ role: 'user', content: 'Write sub(a, b).' }],
      }),
    ).not.toBe(a);
  });
});
