/**
 * Models on this device: GGUF files picked or dropped on Models, or downloaded from a model host
 * (app/model-hosts.ts), kept in the origin-private file system (store/model-files.ts) with a
 * record in the `models` table (its sha256, size and what its header says). A record's `source`
 * is `opfs:<file name>`; runs, New run, shared links and the quick demo name it by its id like
 * any other model, and it survives a restart.
 *
 * Nothing is stored unless it is whole and usable: the header is read and checked first (not
 * GGUF, cut short, an architecture the bundled llama.cpp cannot run: refused in words), the
 * storage quota is checked before writing, a download's sha256 must match its manifest, and the
 * record is written only after the file is in place.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { LlmPort } from '../core/ports';
import { EngineError, ModelDownloadError, RequestAbortedError } from '../engines/errors';
import { checkTextModel, readGgufHeader, type GgufInfo } from '../engines/gguf';
import { byteProgress, formatBytes, type ProgressListener } from '../engines/progress';
import { db } from '../store/db';
import { deleteModelFile, readModelFile, writeModelFile } from '../store/model-files';
import type { ModelRecord, StoredModelFile } from '../store/records';
import type { HostModel } from './model-hosts';

export type DeviceModel = ModelRecord & { file: StoredModelFile };

const OPFS = 'opfs:';
/** Room left free beside a new file: the database, caches and runs need some too. */
const HEADROOM = 64 * 1024 * 1024;

export const isDeviceModel = (r: ModelRecord): r is DeviceModel =>
  r.source.startsWith(OPFS) && r.file !== undefined;

/** Models stored on this device, newest first. */
export async function listDeviceModels(): Promise<DeviceModel[]> {
  return (await db().models.toArray()).filter(isDeviceModel).sort((a, b) => b.addedAt - a.addedAt);
}

export interface StoreOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface StoreResult {
  record: DeviceModel;
  /** The same file (same name and sha256) was already on this device; nothing was written. */
  already: boolean;
}

/** Refuses, in words, a write the browser's quota for this site has no room for. */
async function checkRoom(bytes: number, what: string): Promise<void> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  if (!estimate?.quota) return; // The browser does not say: the write itself will tell.
  const free = estimate.quota - (estimate.usage ?? 0);
  if (bytes + HEADROOM > free) {
    throw new EngineError(
      'out-of-memory',
      `Not enough room in this browser's storage for ${what}: it needs ${formatBytes(bytes)}, and this site may use ${formatBytes(Math.max(0, free - HEADROOM))} more.`,
      'Delete models you no longer need under "On this device", or free disk space, then try again.',
    );
  }
}

const recordOf = (
  id: string,
  label: string,
  info: GgufInfo,
  file: Omit<StoredModelFile, 'architecture' | 'chatTemplate'>,
): DeviceModel => ({
  id,
  engine: 'wllama',
  label,
  source: OPFS + file.name,
  sizeBytes: file.bytes,
  addedAt: Date.now(),
  file: {
    ...file,
    architecture: info.architecture,
    modelName: info.name,
    family: file.family ?? info.basename,
    quantization: info.quantization,
    contextLength: info.contextLength,
    chatTemplate: info.chatTemplate,
  },
});

/**
 * The label a device model goes by: the header's name and quantization, else the file name (also
 * when the "name" is only the architecture, as in converted test models).
 */
const labelOf = (fileName: string, info: GgufInfo): string =>
  info.name && info.name !== info.architecture
    ? `${info.name}${info.quantization ? ` (${info.quantization})` : ''}`
    : fileName;

/** Keeps the speed measured for a model of the same id when the file is stored again. */
async function putRecord(record: DeviceModel): Promise<DeviceModel> {
  const before = await db().models.get(record.id);
  const next = { ...record, speed: before?.speed };
  await db().models.put(next);
  return next;
}

async function sameFileStored(id: string, bytes: number): Promise<DeviceModel | undefined> {
  const existing = await db().models.get(id);
  if (!existing || !isDeviceModel(existing) || existing.file.bytes !== bytes) return undefined;
  const onDisk = await readModelFile(existing.file.name);
  return onDisk?.size === bytes ? existing : undefined;
}

/**
 * Copies a GGUF file the user picked or dropped onto this device. The model's id is the file's
 * name (as for any wllama model), so runs and links name it the same way everywhere.
 */
export async function storeModelFile(file: File, opts: StoreOptions = {}): Promise<StoreResult> {
  const info = await readGgufHeader(file, file.name);
  checkTextModel(info, file.name);
  const id = file.name;
  const existing = await db().models.get(id);
  if (existing && !isDeviceModel(existing) && existing.engine !== 'wllama') {
    throw new EngineError(
      'bad-model-file',
      `A ${existing.engine} model is already called "${id}".`,
      'Rename the file, then add it again.',
    );
  }
  await checkRoom(file.size, file.name);
  const hash = sha256.create();
  const started = performance.now();
  let done = 0;
  const name = id;
  const bytes = await writeModelFile(name, file.stream(), {
    signal: opts.signal,
    onChunk: (chunk) => {
      hash.update(chunk);
      done += chunk.byteLength;
      opts.onProgress?.(byteProgress(done, file.size, performance.now() - started));
    },
  }).catch((err: unknown) => {
    throw writeError(err, file.name, opts.signal);
  });
  if (bytes !== file.size) {
    await deleteModelFile(name);
    throw new EngineError(
      'bad-model-file',
      `Only ${formatBytes(bytes)} of ${file.name}'s ${formatBytes(file.size)} could be read.`,
      'Check the file is still there and readable, then add it again.',
    );
  }
  const record = recordOf(id, labelOf(file.name, info), info, {
    name,
    bytes,
    sha256: bytesToHex(hash.digest()),
    from: 'disk',
  });
  const same = existing && isDeviceModel(existing) && existing.file.sha256 === record.file.sha256;
  return { record: same ? existing : await putRecord(record), already: !!same };
}

function writeError(err: unknown, what: string, signal?: AbortSignal): Error {
  if (signal?.aborted || (err instanceof DOMException && err.name === 'AbortError'))
    return new RequestAbortedError();
  if (err instanceof DOMException && err.name === 'QuotaExceededError')
    return new EngineError(
      'out-of-memory',
      `The browser's storage for this site filled up while storing ${what}; nothing was kept.`,
      'Delete models you no longer need under "On this device", or free disk space, then try again.',
    );
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Downloads a host's model onto this device (unless the same file is already here), checking its
 * size and sha256 against the manifest; a file that does not match is deleted and refused.
 */
export async function downloadHostModel(
  model: HostModel,
  opts: StoreOptions = {},
): Promise<StoreResult> {
  const id = model.file;
  const stored = await sameFileStored(id, model.bytes);
  if (stored && stored.file.sha256 === model.sha256) return { record: stored, already: true };
  await checkRoom(model.bytes, model.name);
  let res: Response;
  try {
    res = await fetch(model.url, { signal: opts.signal, cache: 'no-store' });
  } catch (err) {
    if (opts.signal?.aborted) throw new RequestAbortedError();
    throw new ModelDownloadError(
      'offline',
      model.url,
      `the request did not reach the host (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (!res.ok || !res.body)
    throw new ModelDownloadError(
      res.status === 404 ? 'not-found' : 'http',
      model.url,
      `HTTP ${res.status}`,
    );
  const hash = sha256.create();
  const started = performance.now();
  let done = 0;
  const bytes = await writeModelFile(id, res.body, {
    signal: opts.signal,
    onChunk: (chunk) => {
      hash.update(chunk);
      done += chunk.byteLength;
      opts.onProgress?.(byteProgress(done, model.bytes, performance.now() - started));
    },
  }).catch((err: unknown) => {
    throw writeError(err, model.name, opts.signal);
  });
  const digest = bytesToHex(hash.digest());
  if (bytes !== model.bytes || digest !== model.sha256) {
    await deleteModelFile(id);
    throw new EngineError(
      'bad-model-file',
      bytes !== model.bytes
        ? `${model.file} from ${new URL(model.manifest).host} arrived with ${bytes.toLocaleString('en')} bytes; its manifest says ${model.bytes.toLocaleString('en')}. Nothing was kept.`
        : `${model.file} from ${new URL(model.manifest).host} does not match the sha256 in its manifest (got ${digest.slice(0, 12)}…, expected ${model.sha256.slice(0, 12)}…). Nothing was kept.`,
      'Ask whoever runs the host to write the manifest again (npm start -- --models DIR does), then download again.',
    );
  }
  const file = await readModelFile(id);
  let info: GgufInfo;
  try {
    if (!file) throw new Error('the stored copy is missing');
    info = await readGgufHeader(file, model.file);
    checkTextModel(info, model.file);
  } catch (err) {
    await deleteModelFile(id);
    throw err;
  }
  const record = recordOf(id, model.name, info, {
    name: id,
    bytes,
    sha256: digest,
    from: model.url,
    family: model.family,
    loadContext: model.context,
  });
  return { record: await putRecord(record), already: false };
}

/** Deletes a stored model's file (freeing its space) and its record. */
export async function deleteDeviceModel(id: string): Promise<void> {
  const record = await db().models.get(id);
  if (!record || !isDeviceModel(record)) return;
  await deleteModelFile(record.file.name);
  await db().models.delete(id);
}

/** The window a device model loads with: the host's figure, else the engine's default. */
export const loadContextOf = (r: DeviceModel): number | undefined => r.file.loadContext;

/** Opens a stored model in wllama (the file is read from disk into the engine's memory). */
export async function openDeviceModel(
  record: ModelRecord,
  opts: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<LlmPort & { threads: number; unload(): Promise<void> }> {
  if (!isDeviceModel(record)) throw new Error(`${record.id} is not a model on this device.`);
  const stored = await readModelFile(record.file.name);
  if (!stored || stored.size !== record.file.bytes) {
    throw new EngineError(
      'model-not-loaded',
      `The file of ${record.label} is no longer in this browser's storage (it was cleared, or the browser evicted it).`,
      'Add the file again on Models (or download it again from the host).',
    );
  }
  const { WllamaEngine } = await import('../engines/wllama');
  // A File named after the model's id (no copy: it wraps the stored file), so the engine reports it.
  return WllamaEngine.fromFiles([new File([stored], record.id)], {
    contextSize: loadContextOf(record),
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
}
