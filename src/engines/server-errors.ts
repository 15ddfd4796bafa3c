/**
 * What goes wrong between a browser tab and a model server, as named errors whose hint is the
 * exact thing to change. A browser hides why a cross-origin fetch failed (CORS refusal,
 * connection refused, mixed content and Private Network Access all surface as one TypeError),
 * so `diagnoseFetchFailure` tells them apart from what the page can still observe: the two
 * origins, and whether an opaque `no-cors` request reaches the server.
 */
import { SERVER_FAULT } from '../core/server-fault';
import { EngineError } from './errors';

const CORS_SETTINGS = (origin: string): string =>
  [
    `Ollama: restart it with OLLAMA_ORIGINS=${origin} ollama serve (Ollama allows only localhost pages by default).`,
    'LM Studio: turn on "Enable CORS" in the Developer tab\'s server settings, or start it with lms server start --cors.',
    `vLLM: vllm serve <model> --allowed-origins '["${origin}"]' (its default allows every origin).`,
    'llama-server and SGLang allow every origin by default; behind a proxy (nginx, Caddy), make the proxy send Access-Control-Allow-Origin and answer OPTIONS.',
  ].join(' ');

export class ServerUnreachableError extends EngineError {
  readonly url: string;
  constructor(url: string, detail: string) {
    super(
      'server-unreachable',
      `Nothing answered at ${url} (${detail}).`,
      'Start the server and check host and port (Ollama: ollama serve, port 11434; llama-server: llama-server -m model.gguf --port 8080; LM Studio: lms server start, port 1234; vLLM: vllm serve <model>, port 8000). On another machine, make it listen on the network: OLLAMA_HOST=0.0.0.0, llama-server --host 0.0.0.0, vllm serve --host 0.0.0.0, and open the port in its firewall.',
    );
    this.name = 'ServerUnreachableError';
    this.url = url;
  }
}

export class ServerCorsError extends EngineError {
  readonly url: string;
  readonly origin: string;
  constructor(url: string, origin: string) {
    super(
      'server-cors',
      `The server at ${url} is up, but it does not allow this page (origin ${origin}) to read its answers (a CORS refusal).`,
      CORS_SETTINGS(origin),
    );
    this.name = 'ServerCorsError';
    this.url = url;
    this.origin = origin;
  }
}

export class MixedContentError extends EngineError {
  readonly url: string;
  constructor(url: string, pageOrigin: string) {
    super(
      'mixed-content',
      `This page (${pageOrigin}) is served over https, so the browser blocks its requests to the plain-http server ${url} (mixed content).`,
      'Serve the model server over https (for example behind Caddy: caddy reverse-proxy --from <host>:8443 --to localhost:11434), or open Athanor from http (npm start on the same machine: http://127.0.0.1:4173). Browsers let https pages call http://localhost and http://127.0.0.1 only.',
    );
    this.name = 'MixedContentError';
    this.url = url;
  }
}

export class PrivateNetworkError extends EngineError {
  readonly url: string;
  constructor(url: string, pageOrigin: string) {
    super(
      'private-network',
      `The browser blocked this public page (${pageOrigin}) from calling ${url} on your local or private network (Private Network Access).`,
      'Allow the browser\'s "local network access" prompt for this site (Chrome: the lock icon, Site settings). Or make the server answer the preflight with Access-Control-Allow-Private-Network: true (a proxy can add it) as well as CORS. Or open Athanor from the same network: npm start, then http://127.0.0.1:4173.',
    );
    this.name = 'PrivateNetworkError';
    this.url = url;
  }
}

export class ServerAuthError extends EngineError {
  readonly status: number;
  constructor(url: string, status: number, detail: string) {
    super(
      'server-auth',
      status === 401
        ? `The server at ${url} wants an API key, or refused the one given (401${detail ? `: ${detail}` : ''}).`
        : `The server at ${url} refused this request (403${detail ? `: ${detail}` : ''}).`,
      status === 401
        ? 'Enter the key the server was started with (vLLM --api-key, llama-server --api-key, LM Studio "Require API key"; Ollama needs none). The key stays in this browser: it is never exported or logged.'
        : "Check the API key and what it may use. For Ollama a 403 means this page's origin is not allowed: restart it with OLLAMA_ORIGINS set to this origin.",
    );
    this.name = 'ServerAuthError';
    this.status = status;
  }
}

export type ServerHttpKind = 'model-not-found' | 'context-too-long' | 'loading' | 'other';

export class ServerHttpError extends EngineError {
  readonly status: number;
  readonly kind: ServerHttpKind;
  constructor(url: string, status: number, detail: string, model?: string) {
    const kind: ServerHttpKind =
      status === 404 || /not found|does not exist|no such model|try pulling/i.test(detail)
        ? 'model-not-found'
        : /context|too long|maximum.*length|exceed/i.test(detail)
          ? 'context-too-long'
          : status === 503 || /loading/i.test(detail)
            ? 'loading'
            : 'other';
    const hints: Record<ServerHttpKind, string> = {
      'model-not-found': `Pick a model the server lists (probe it on the Models page)${model ? `; for Ollama, ollama pull ${model}` : ''}. Check that the base URL is the server's OpenAI API root (…/v1).`,
      'context-too-long':
        'The prompt and answer do not fit the server\'s context window: raise it (Ollama: OLLAMA_CONTEXT_LENGTH=8192; llama-server: -c 8192; vLLM: --max-model-len 8192; LM Studio: the model\'s "Context Length") or lower max_tokens.',
      loading: 'The server is still loading the model: wait a moment and try again.',
      other: `The server failed (HTTP ${status}); its own log says why. Try again, or restart it.`,
    };
    super('server-http', `The server at ${url} answered HTTP ${status}: ${detail}.`, hints[kind]);
    this.name = 'ServerHttpError';
    this.status = status;
    this.kind = kind;
  }
}

export class ServerResponseError extends EngineError {
  constructor(url: string, detail: string) {
    super(
      'server-response',
      `The server at ${url} answered, but not in the OpenAI format (${detail}).`,
      'Point the base URL at the OpenAI-compatible API root, ending in /v1: http://localhost:11434/v1 (Ollama), http://localhost:8080/v1 (llama-server), http://localhost:1234/v1 (LM Studio), http://localhost:8000/v1 (vLLM), http://localhost:30000/v1 (SGLang).',
    );
    this.name = 'ServerResponseError';
  }
}

export class ServerTimeoutError extends EngineError {
  constructor(url: string, timeoutMs: number) {
    super(
      'timeout',
      `The server at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
      'A server may take minutes to load a big model on its first request: wait and probe again. If it never answers, check the address (a firewall that drops packets looks like this).',
    );
    this.name = 'ServerTimeoutError';
  }
}

/**
 * The server kept ending an answer before it was finished (see core/server-fault.ts): after the
 * retries, nothing is graded or cached, and the run pauses with this message.
 */
export class ServerFaultError extends EngineError {
  readonly attempts: number;
  readonly reason: string;
  constructor(url: string, attempts: number, reason: string) {
    super(
      SERVER_FAULT,
      `The server at ${url} cut an answer short ${attempts} times in a row (${reason}), so it was neither graded nor cached.`,
      'llama-cpp-python\'s server does this when requests overlap: restart it with --interrupt_requests false, or set "Requests at once" to 1 for this server on the Models page. Otherwise see the server\'s own log (out of memory, a crash), then resume the run: nothing already done is lost.',
    );
    this.name = 'ServerFaultError';
    this.attempts = attempts;
    this.reason = reason;
  }
}

/** Loopback and private-network hosts (RFC 1918, link-local, unique local, .local names). */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local')) return true;
  if (h === '::1' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80:')) return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(h);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 127 ||
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254)
  );
}

const isLoopback = (hostname: string): boolean =>
  /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$/i.test(hostname) ||
  hostname.toLowerCase().endsWith('.localhost');

/** Where the page runs; undefined in Node (benchmarks, tests), where none of this applies. */
export interface PageOrigin {
  protocol: string;
  hostname: string;
  origin: string;
}

export function pageOrigin(): PageOrigin | undefined {
  const loc = (globalThis as { location?: Location }).location;
  return loc && /^https?:$/.test(loc.protocol) ? loc : undefined;
}

/** The failure a browser will certainly produce before any request: https page, http server. */
export function mixedContent(url: string, page = pageOrigin()): MixedContentError | undefined {
  if (!page || page.protocol !== 'https:') return undefined;
  const target = new URL(url);
  if (target.protocol === 'http:' && !isLoopback(target.hostname))
    return new MixedContentError(url, page.origin);
  return undefined;
}

/**
 * Names the cause of a fetch that rejected without a response. In Node the error carries the
 * socket's code; in a browser an opaque `no-cors` request tells "server up, CORS refused" from
 * "nothing there".
 */
export async function diagnoseFetchFailure(
  url: string,
  err: unknown,
  fetchImpl: typeof fetch = fetch,
  page = pageOrigin(),
): Promise<EngineError> {
  if (err instanceof EngineError) return err;
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const detail =
    cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  if (!page) return new ServerUnreachableError(url, detail);
  const mixed = mixedContent(url, page);
  if (mixed) return mixed;
  const target = new URL(url);
  const privateJump = !isPrivateHost(page.hostname) && isPrivateHost(target.hostname);
  const reachable = await fetchImpl(url, { mode: 'no-cors', signal: AbortSignal.timeout(5000) })
    .then(() => true)
    .catch(() => false);
  if (privateJump) return new PrivateNetworkError(url, page.origin);
  if (reachable) return new ServerCorsError(url, page.origin);
  return new ServerUnreachableError(url, 'connection refused, or the host does not exist');
}
