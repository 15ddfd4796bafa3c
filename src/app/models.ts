/**
 * The app's model service for the Models page: the one place that wires the engines to the store.
 * It knows the catalogue, what is cached, the custom models the user added, and the model that is
 * loaded now. The page hands the loaded port to the run wiring (ui/app-context.ts provideEngine),
 * which puts the completion cache around it.
 *
 * Kept out of the Svelte page so the page only renders state and this logic stays testable.
 */
import type { LlmPort } from '../core/ports';
import {
  deleteWebLlmCache,
  deleteWllamaCache,
  EngineError,
  isWebLlmCached,
  listWllamaCache,
  measureSpeed,
  probeWebGpu,
  WebLlmEngine,
  webLlmCatalogue,
  webLlmPrebuilt,
  WebLlmEmbedder,
  WllamaEmbedder,
  WllamaEngine,
  WLLAMA_CATALOGUE,
  chooseThreads,
  type CatalogueEntry,
  type GpuReport,
  type LoadProgress,
  type WebLlmModel,
} from '../engines/index';
import type { SpeedMeasure } from '../core/speed';
import { db } from '../store/db';
import { currentEmbedder, setEmbedder, type LoadedEmbedder } from './embedder';
import type { ModelRecord } from '../store/records';

export interface ModelRow extends CatalogueEntry {
  cached: boolean;
  custom: boolean;
}

export interface LoadedModel {
  engine: 'webllm' | 'wllama' | 'openai';
  id: string;
  label: string;
  source: string;
  port: LlmPort;
  unload(): Promise<void>;
}

export interface Environment {
  gpu: GpuReport;
  threads: number;
  isolated: boolean;
}

let loaded: LoadedModel | undefined;
const listeners = new Set<() => void>();

export function currentModel(): LoadedModel | undefined {
  return loaded;
}

export function onModelChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function setLoaded(next: LoadedModel | undefined): Promise<void> {
  const previous = loaded;
  loaded = next;
  if (previous && previous !== next) await previous.unload().catch(() => undefined);
  for (const fn of listeners) fn();
}

export async function environment(): Promise<Environment> {
  return {
    gpu: await probeWebGpu(),
    threads: chooseThreads(),
    isolated: globalThis.crossOriginIsolated === true,
  };
}

function customToEntry(r: ModelRecord & { engine: 'webllm' | 'wllama' }): CatalogueEntry {
  return {
    engine: r.engine,
    id: r.id,
    label: r.label,
    kind: 'code',
    paramsB: 0,
    quantization: '',
    downloadBytes: r.sizeBytes ?? 0,
    downloadIsEstimate: true,
    memoryMB: 0,
    model: r.source,
    modelLib: r.modelLib,
    requiredFeatures: [],
    lowResource: false,
  };
}

export const toWebLlmModel = (e: CatalogueEntry): WebLlmModel => ({
  id: e.id,
  model: e.model,
  modelLib: e.modelLib ?? '',
  requiredFeatures: e.requiredFeatures,
  memoryMB: e.memoryMB || undefined,
});

/** Catalogue plus custom models, each marked cached or not. */
export async function listModels(gpu: GpuReport): Promise<ModelRow[]> {
  const catalogue = [
    ...webLlmCatalogue(await webLlmPrebuilt(), gpu.shaderF16),
    ...WLLAMA_CATALOGUE,
  ];
  const known = new Set(catalogue.map((e) => absolute(e.model)));
  // Records of catalogue models (written when one is loaded, so a run can reload it) are not custom.
  const custom = (await db().models.toArray()).filter(
    (r): r is ModelRecord & { engine: 'webllm' | 'wllama' } =>
      r.engine !== 'openai' &&
      !/^(file|opfs):/.test(r.source) && // picked files; files on this device (device-models.ts)
      !known.has(absolute(r.source)),
  );
  const entries: { entry: CatalogueEntry; custom: boolean }[] = [
    ...catalogue.map((entry) => ({ entry, custom: false })),
    ...custom.map((r) => ({ entry: customToEntry(r), custom: true })),
  ];
  const gguf = new Set((await listWllamaCache().catch(() => [])).map((c) => c.url));
  return Promise.all(
    entries.map(async ({ entry, custom: isCustom }) => ({
      ...entry,
      custom: isCustom,
      cached:
        entry.engine === 'wllama'
          ? gguf.has(absolute(entry.model))
          : await isWebLlmCached(toWebLlmModel(entry)).catch(() => false),
    })),
  );
}

const absolute = (url: string): string => new URL(url, globalThis.location?.href).href;

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

/** Downloads (once) and loads a catalogue or custom model; it becomes the current model. */
export async function loadModel(row: CatalogueEntry, opts: LoadOptions = {}): Promise<LoadedModel> {
  let model: LoadedModel;
  if (row.engine === 'wllama') {
    const engine = await WllamaEngine.fromUrl(absolute(row.model), opts);
    // Remembered so that a run naming this model can load it again (ui/app-context.ts).
    if (!(await db().models.get(engine.modelId))) {
      await db().models.put({
        id: engine.modelId,
        engine: 'wllama',
        label: row.label,
        source: absolute(row.model),
        sizeBytes: row.downloadBytes || undefined,
        addedAt: Date.now(),
      });
    }
    model = {
      engine: 'wllama',
      id: engine.modelId,
      label: row.label,
      source: row.model,
      port: engine,
      unload: () => engine.unload(),
    };
  } else {
    const m = toWebLlmModel({
      ...row,
      model: absolute(row.model),
      modelLib: absolute(row.modelLib ?? ''),
    });
    const engine = await WebLlmEngine.load(m, opts);
    // Remembered so that New run can name it and its measured speed has a home.
    if (!(await db().models.get(engine.modelId))) {
      await db().models.put({
        id: engine.modelId,
        engine: 'webllm',
        label: row.label,
        source: m.model,
        modelLib: m.modelLib,
        sizeBytes: row.downloadBytes || undefined,
        addedAt: Date.now(),
      });
    }
    model = {
      engine: 'webllm',
      id: engine.modelId,
      label: row.label,
      source: row.model,
      port: engine,
      unload: () => engine.unload(),
    };
  }
  await setLoaded(model);
  return model;
}

/** Loads a GGUF model from files the user picked; they stay on this machine. */
export async function loadLocalFiles(files: File[], opts: LoadOptions = {}): Promise<LoadedModel> {
  const engine = await WllamaEngine.fromFiles(files, opts);
  const name = files[0]?.name ?? 'model.gguf';
  const model: LoadedModel = {
    engine: 'wllama',
    id: engine.modelId,
    label: `${name} (local file)`,
    source: `file:${name}`,
    port: engine,
    unload: () => engine.unload(),
  };
  await setLoaded(model);
  return model;
}

export interface MeasureOptions {
  signal?: AbortSignal;
  onStep?: (step: string, index: number, of: number) => void;
}

/**
 * Measures the loaded model's prefill and decode speed on this device (engines/speed-probe.ts)
 * and stores it with the model's record, where every projection reads it. A model from a local
 * file has no record: its figures are returned but not kept.
 */
export async function measureModel(
  model: LoadedModel,
  opts: MeasureOptions = {},
): Promise<SpeedMeasure> {
  const threads = (model.port as { threads?: number }).threads;
  const speed = await measureSpeed(model.port, { engine: model.engine, threads, ...opts });
  await db().models.update(model.id, { speed });
  for (const fn of listeners) fn();
  return speed;
}

/** The stored speed of a model, if it was measured on this device. */
export async function storedSpeed(modelId: string): Promise<SpeedMeasure | undefined> {
  return (await db().models.get(modelId))?.speed;
}

/** Makes a model that needs no loading (a server model) the current one. */
export async function useModel(model: LoadedModel): Promise<void> {
  await setLoaded(model);
}

export async function unloadModel(): Promise<void> {
  await setLoaded(undefined);
}

/** Removes a model's downloaded files from the browser (the catalogue entry stays). */
export async function deleteCached(row: CatalogueEntry): Promise<void> {
  if (loaded?.id === row.id) await setLoaded(undefined);
  if (row.engine === 'wllama') await deleteWllamaCache(absolute(row.model));
  else
    await deleteWebLlmCache(
      toWebLlmModel({ ...row, model: absolute(row.model), modelLib: absolute(row.modelLib ?? '') }),
    );
}

export interface CustomModelInput {
  engine: 'webllm' | 'wllama';
  id: string;
  label?: string;
  model: string;
  modelLib?: string;
}

/** Checks and stores a custom / self-hosted model; throws an EngineError naming the bad field. */
export async function addCustomModel(input: CustomModelInput): Promise<ModelRecord> {
  const bad = (what: string): never => {
    throw new EngineError('bad-model-file', what, 'Correct the field and save again.');
  };
  // A wllama model's id is its file name (what the engine reports), so runs find it again.
  const id =
    input.engine === 'wllama'
      ? (input.model.split('?')[0]?.split('/').pop() ?? '').trim()
      : input.id.trim();
  if (!id) bad('The model id is empty.');
  try {
    new URL(input.model, globalThis.location?.href);
  } catch {
    bad(`The model URL "${input.model}" is not a URL.`);
  }
  if (input.engine === 'wllama' && !/\.gguf(\?|$)/i.test(input.model))
    bad('A CPU (wllama) model URL must end in .gguf.');
  if (input.engine === 'webllm' && !/\.wasm(\?|$)/i.test(input.modelLib ?? '')) {
    bad('A WebLLM model needs a model library URL ending in .wasm.');
  }
  const record: ModelRecord = {
    id,
    engine: input.engine,
    label: input.label?.trim() || id,
    source: input.model.trim(),
    modelLib: input.engine === 'webllm' ? input.modelLib?.trim() : undefined,
    addedAt: Date.now(),
  };
  await db().models.put(record);
  return record;
}

export async function removeCustomModel(row: CatalogueEntry): Promise<void> {
  await deleteCached(row).catch(() => undefined);
  await db().models.delete(row.id);
}

// ---------------------------------------------------------------------------------------------
// The embedding model: loaded beside the chat model, for GPO's relevance retrieval
// ---------------------------------------------------------------------------------------------

export { currentEmbedder, type LoadedEmbedder };

/** Downloads (once) and loads a catalogue embedding model (kind `embedding`). */
export async function loadEmbeddingModel(
  row: CatalogueEntry,
  opts: LoadOptions = {},
): Promise<LoadedEmbedder> {
  const port =
    row.engine === 'wllama'
      ? await WllamaEmbedder.fromUrl(absolute(row.model), opts)
      : await WebLlmEmbedder.load(
          toWebLlmModel({
            ...row,
            model: absolute(row.model),
            modelLib: absolute(row.modelLib ?? ''),
          }),
          opts,
        );
  const next: LoadedEmbedder = {
    engine: row.engine,
    id: port.modelId,
    label: row.label,
    port,
    unload: () => port.unload(),
  };
  const previous = setEmbedder(next);
  if (previous && previous !== next) await previous.unload().catch(() => undefined);
  for (const fn of listeners) fn();
  return next;
}

export async function unloadEmbeddingModel(): Promise<void> {
  const previous = setEmbedder(undefined);
  if (previous) await previous.unload().catch(() => undefined);
  for (const fn of listeners) fn();
}
