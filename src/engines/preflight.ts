/**
 * Cheap checks before a long download, so that a wrong URL fails in a second with a named error
 * instead of minutes later with an opaque one. web-llm stores files through the Cache API, whose
 * `add()` hides the HTTP status ("Request failed"); wllama's OPFS downloader stores whatever the
 * server answers, even a 404 page. Asking first lets us say "404", "offline" or "not a model".
 */
import { ModelDownloadError } from './errors';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Reads at most `n` bytes of a response body, then lets the rest go. */
async function firstBytes(res: Response, n: number): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const { done, value } = await reader.read();
    if (done) break;
    const take = Math.min(n - got, value.byteLength);
    out.set(value.subarray(0, take), got);
    got += take;
  }
  await reader.cancel().catch(() => undefined);
  return out.subarray(0, got);
}

/** GET `url` (only its head when the host honours Range), mapping failures to named errors. */
async function probe(url: string, fetchFn: FetchLike, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { Range: 'bytes=0-65535' }, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ModelDownloadError(
      'offline',
      url,
      `the request did not reach the host (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (res.status === 404 || res.status === 410) {
    void res.body?.cancel().catch(() => undefined);
    throw new ModelDownloadError('not-found', url, `the host answered ${res.status} (not found)`);
  }
  if (!res.ok) {
    void res.body?.cancel().catch(() => undefined);
    throw new ModelDownloadError('http', url, `the host answered HTTP ${res.status}`);
  }
  return res;
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean =>
  magic.every((b, i) => bytes[i] === b);

/** `\0asm`: every WebAssembly module begins with it. */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** `GGUF` */
export const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46];

/** True when the bytes begin like a GGUF file. */
export const isGgufHeader = (bytes: Uint8Array): boolean => startsWith(bytes, GGUF_MAGIC);

/** The model folder URL exactly as web-llm will use it: with `resolve/main/` appended. */
export function webLlmModelBase(modelUrl: string): string {
  // Mirrors web-llm's cleanModelUrl (lib/index.js), so the preflight asks for the same files.
  const withSlash = modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`;
  return /.+\/resolve\/.+\//.test(withSlash) ? withSlash : `${withSlash}resolve/main/`;
}

/**
 * Checks a WebLLM model before loading: its `mlc-chat-config.json` answers with JSON, and its
 * model library answers with a WebAssembly module.
 */
export async function preflightWebLlm(
  modelUrl: string,
  modelLibUrl: string,
  fetchFn: FetchLike = fetch,
  signal?: AbortSignal,
): Promise<void> {
  const configUrl = new URL('mlc-chat-config.json', webLlmModelBase(modelUrl)).href;
  const configRes = await probe(configUrl, fetchFn, signal);
  const text = await configRes.text();
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
  } catch {
    throw new ModelDownloadError('wrong-file', configUrl, 'mlc-chat-config.json is not JSON');
  }
  const libRes = await probe(modelLibUrl, fetchFn, signal);
  const head = await firstBytes(libRes, 4);
  if (!startsWith(head, WASM_MAGIC)) {
    throw new ModelDownloadError(
      'wrong-file',
      modelLibUrl,
      'the model library is not a WebAssembly (.wasm) file',
    );
  }
}

/** Checks that a GGUF URL answers with a GGUF file. */
export async function preflightGguf(
  url: string,
  fetchFn: FetchLike = fetch,
  signal?: AbortSignal,
): Promise<void> {
  const res = await probe(url, fetchFn, signal);
  const head = await firstBytes(res, 4);
  if (!isGgufHeader(head)) {
    throw new ModelDownloadError(
      'wrong-file',
      url,
      'the file does not begin with the GGUF signature',
    );
  }
}
