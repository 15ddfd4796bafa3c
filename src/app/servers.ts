/**
 * Model servers the user added (Ollama, llama-server, LM Studio, vLLM, SGLang, any
 * OpenAI-compatible endpoint): saved, probed, and turned into ModelRefs a run can name.
 *
 * Where things live, and why:
 * - The server list, with its optional API key and its concurrency, is kept in this browser's
 *   localStorage. Nothing in IndexedDB holds a key, so no bundle, backup or export can carry it.
 * - A server model picked for use becomes an ordinary ModelRecord (engine `openai`, source = the
 *   API base, no key) so the New Run page lists it beside the in-browser models, and its
 *   ModelRef (`serverModelRef`) is plain data any role can hold: the task model today, the
 *   optimizer model too once runs name one.
 */
import type { LlmPort } from '../core/ports';
import type { ModelRef } from '../core/types';
import {
  DEFAULT_SERVER_CONCURRENCY,
  normalizeApiBase,
  probeParallelism,
  probeServer,
  serverModelId,
  serverPort,
  type ProbeResult,
  type ServerKind,
  type ServerModel,
} from '../engines/openai';
import { EngineError } from '../engines/errors';
import { db } from '../store/db';
import type { ModelRecord } from '../store/records';

const STORAGE_KEY = 'athanor:model-servers';

export interface SavedServer {
  /** The API base (normalized, ending in /v1): also the server's identity. */
  apiBase: string;
  label: string;
  /** Requests in flight at once (default 4). */
  concurrency: number;
  /** Optional; stays in this browser's localStorage, never in IndexedDB or any export. */
  apiKey?: string;
  addedAt: number;
  /** Why "Requests at once" was set for the user (the parallelism probe), until they change it. */
  concurrencyNote?: string;
}

export interface Reachability {
  ok: boolean;
  at: number;
  kind?: ServerKind;
  models?: ServerModel[];
  latencyMs?: number;
  /** The error's name, code, message and hint when the probe failed. */
  error?: { name: string; code?: string; message: string; hint: string };
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage blocked (privacy settings): servers last for this page only
  }
}

let memory: SavedServer[] = [];

export function listServers(): SavedServer[] {
  const raw = storage()?.getItem(STORAGE_KEY);
  if (!raw) return [...memory];
  try {
    const list = JSON.parse(raw) as SavedServer[];
    return Array.isArray(list) ? list.filter((s) => typeof s?.apiBase === 'string') : [];
  } catch {
    return [];
  }
}

function writeServers(list: SavedServer[]): void {
  memory = list;
  storage()?.setItem(STORAGE_KEY, JSON.stringify(list));
}

export function findServer(apiBase: string): SavedServer | undefined {
  return listServers().find((s) => s.apiBase === apiBase);
}

export interface ServerInput {
  url: string;
  label?: string;
  concurrency?: number;
  apiKey?: string;
  concurrencyNote?: string;
}

/** Checks the fields and saves (or updates) a server; throws an EngineError naming the bad one. */
export function saveServer(input: ServerInput): SavedServer {
  const apiBase = normalizeApiBase(input.url);
  const c = input.concurrency ?? DEFAULT_SERVER_CONCURRENCY;
  if (!Number.isInteger(c) || c < 1 || c > 64) {
    throw new EngineError(
      'server-response',
      `Requests at once must be a whole number from 1 to 64 (got ${c}).`,
      'Use 4 for one GPU box; raise it to what the server runs in parallel (llama-server --parallel, OLLAMA_NUM_PARALLEL, vLLM batches many).',
    );
  }
  const previous = findServer(apiBase);
  const server: SavedServer = {
    apiBase,
    label: input.label?.trim() || new URL(apiBase).host,
    concurrency: c,
    ...(input.apiKey?.trim() ? { apiKey: input.apiKey.trim() } : {}),
    addedAt: previous?.addedAt ?? Date.now(),
    ...(input.concurrencyNote ? { concurrencyNote: input.concurrencyNote } : {}),
  };
  writeServers([...listServers().filter((s) => s.apiBase !== apiBase), server]);
  return server;
}

/** Forgets a server, its key, and the models picked from it. */
export async function removeServer(apiBase: string): Promise<void> {
  writeServers(listServers().filter((s) => s.apiBase !== apiBase));
  const picked = (await db().models.toArray()).filter(
    (m) => m.engine === 'openai' && m.source === apiBase,
  );
  await db().models.bulkDelete(picked.map((m) => m.id));
}

function describe(err: unknown): Reachability['error'] {
  if (err instanceof EngineError)
    return { name: err.name, code: err.code, message: err.message, hint: err.hint };
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message, hint: '' };
}

/** Asks the server for its models; never throws (the failure is part of the answer). */
export async function checkServer(
  server: Pick<SavedServer, 'apiBase' | 'apiKey'>,
  timeoutMs = 10_000,
): Promise<Reachability> {
  try {
    const probe: ProbeResult = await probeServer(server.apiBase, {
      ...(server.apiKey ? { apiKey: server.apiKey } : {}),
      timeoutMs,
    });
    return {
      ok: true,
      at: Date.now(),
      kind: probe.kind,
      models: probe.models,
      latencyMs: probe.latencyMs,
    };
  } catch (err) {
    return { ok: false, at: Date.now(), error: describe(err) };
  }
}

/**
 * When a server is added with more than one request at once: two overlapping requests to its
 * first model. If it cut one short (llama-cpp-python's default), "Requests at once" becomes 1,
 * with the reason kept beside it. Never throws: a failed probe leaves the setting as it was.
 */
export async function checkParallelism(server: SavedServer, model: string): Promise<SavedServer> {
  if (server.concurrency <= 1) return server;
  try {
    const probe = await probeParallelism({
      apiBase: server.apiBase,
      model,
      ...(server.apiKey ? { apiKey: server.apiKey } : {}),
    });
    if (probe.parallel) return server;
    return saveServer({
      url: server.apiBase,
      label: server.label,
      ...(server.apiKey ? { apiKey: server.apiKey } : {}),
      concurrency: 1,
      concurrencyNote:
        `Set to 1: when two requests overlapped, the server cut one answer short (${probe.reason}). ` +
        "llama-cpp-python's server does this unless started with --interrupt_requests false; " +
        'with that flag (or a server that answers several at once), raise it again.',
    });
  } catch {
    return server;
  }
}

/** The run-ready reference to one of a server's models (no key in it). */
export function serverModelRef(apiBase: string, model: string): ModelRef {
  return { engine: 'openai', modelId: serverModelId(apiBase, model), server: apiBase };
}

/** The model name the server knows, from a ModelRef's id (`name@host`). */
export function serverModelName(ref: Pick<ModelRef, 'modelId' | 'server'>): string {
  const host = ref.server ? `@${new URL(ref.server).host}` : '';
  return host && ref.modelId.endsWith(host) ? ref.modelId.slice(0, -host.length) : ref.modelId;
}

/** Remembers a server model so runs can name it (the New Run page lists ModelRecords). */
export async function pickServerModel(
  server: SavedServer,
  model: string,
): Promise<{ ref: ModelRef; record: ModelRecord }> {
  const ref = serverModelRef(server.apiBase, model);
  const record: ModelRecord = {
    id: ref.modelId,
    engine: 'openai',
    label: `${model} on ${server.label}`,
    source: server.apiBase,
    addedAt: Date.now(),
  };
  await db().models.put(record);
  return { ref, record };
}

/** The port for a server ModelRef, with this browser's key and concurrency for that server. */
export function serverLlm(ref: ModelRef): LlmPort {
  if (ref.engine !== 'openai' || !ref.server) {
    throw new EngineError(
      'server-response',
      `Model "${ref.modelId}" names no server.`,
      'Pick the model again on the Models page ("Model servers").',
    );
  }
  const saved = findServer(ref.server);
  return serverPort({
    apiBase: ref.server,
    model: serverModelName(ref),
    modelId: ref.modelId,
    ...(saved?.apiKey ? { apiKey: saved.apiKey } : {}),
    concurrency: saved?.concurrency ?? DEFAULT_SERVER_CONCURRENCY,
  });
}
