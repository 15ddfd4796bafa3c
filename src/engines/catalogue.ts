/**
 * The models a user can pick, as plain data. WebLLM entries are drawn at runtime from web-llm's
 * own prebuilt list (so ids, URLs and memory figures stay those of the installed web-llm), code
 * models first, choosing the q4f16 build when the adapter has `shader-f16` and q4f32 when not.
 * wllama entries are public GGUF builds for CPU users who are online.
 */

export type EngineKind = 'webllm' | 'wllama';

export interface CatalogueEntry {
  engine: EngineKind;
  /** web-llm's model_id, or the GGUF file name for wllama. */
  id: string;
  label: string;
  /** `embedding`: a sentence-embedding model for GPO's relevance retrieval, not a chat model. */
  kind: 'code' | 'chat' | 'test' | 'embedding';
  /** Parameters, in billions. */
  paramsB: number;
  quantization: string;
  /** Bytes to download; for WebLLM an estimate from parameters and quantization (web-llm lists none). */
  downloadBytes: number;
  downloadIsEstimate: boolean;
  /** Memory needed to run, in MB (web-llm's vram_required_MB; for GGUF, file size plus context). */
  memoryMB: number;
  /** WebLLM: the weights folder; wllama: the .gguf URL. */
  model: string;
  /** WebLLM only: the compiled model library (.wasm). */
  modelLib?: string;
  requiredFeatures: string[];
  lowResource: boolean;
}

/** The subset of web-llm's ModelRecord this module reads. */
export interface PrebuiltRecord {
  model: string;
  model_id: string;
  model_lib: string;
  vram_required_MB?: number;
  low_resource_required?: boolean;
  required_features?: string[];
  model_type?: number;
}

interface Family {
  /** model_id without the `-q4f16_1-MLC` tail. */
  base: string;
  label: string;
  kind: 'code' | 'chat';
  paramsB: number;
}

/** In display order: the code models the lab is for, then small general chat models. */
export const WEBLLM_FAMILIES: readonly Family[] = [
  {
    base: 'Qwen2.5-Coder-0.5B-Instruct',
    label: 'Qwen2.5 Coder 0.5B Instruct',
    kind: 'code',
    paramsB: 0.49,
  },
  {
    base: 'Qwen2.5-Coder-1.5B-Instruct',
    label: 'Qwen2.5 Coder 1.5B Instruct',
    kind: 'code',
    paramsB: 1.54,
  },
  {
    base: 'Qwen2.5-Coder-3B-Instruct',
    label: 'Qwen2.5 Coder 3B Instruct',
    kind: 'code',
    paramsB: 3.09,
  },
  {
    base: 'Qwen2.5-Coder-7B-Instruct',
    label: 'Qwen2.5 Coder 7B Instruct',
    kind: 'code',
    paramsB: 7.62,
  },
  { base: 'Qwen2.5-0.5B-Instruct', label: 'Qwen2.5 0.5B Instruct', kind: 'chat', paramsB: 0.49 },
  { base: 'Qwen2.5-1.5B-Instruct', label: 'Qwen2.5 1.5B Instruct', kind: 'chat', paramsB: 1.54 },
  { base: 'Qwen2.5-3B-Instruct', label: 'Qwen2.5 3B Instruct', kind: 'chat', paramsB: 3.09 },
  { base: 'Llama-3.2-1B-Instruct', label: 'Llama 3.2 1B Instruct', kind: 'chat', paramsB: 1.24 },
  { base: 'Llama-3.2-3B-Instruct', label: 'Llama 3.2 3B Instruct', kind: 'chat', paramsB: 3.21 },
  { base: 'Phi-3.5-mini-instruct', label: 'Phi 3.5 mini Instruct', kind: 'chat', paramsB: 3.82 },
  { base: 'SmolLM2-1.7B-Instruct', label: 'SmolLM2 1.7B Instruct', kind: 'chat', paramsB: 1.71 },
  { base: 'gemma-2-2b-it', label: 'Gemma 2 2B it', kind: 'chat', paramsB: 2.61 },
];

/**
 * Bits per weight of MLC's group quantization: 4-bit weights plus one scale per group of 32
 * (16-bit scales in q4f16_1, 32-bit in q4f32_1).
 */
const BITS_PER_WEIGHT: Record<string, number> = { q4f16_1: 4.5, q4f32_1: 5 };

export function webLlmCatalogue(
  prebuilt: readonly PrebuiltRecord[],
  shaderF16: boolean,
): CatalogueEntry[] {
  const quant = shaderF16 ? 'q4f16_1' : 'q4f32_1';
  const byId = new Map(prebuilt.map((r) => [r.model_id, r]));
  const out: CatalogueEntry[] = [];
  for (const family of WEBLLM_FAMILIES) {
    const record = byId.get(`${family.base}-${quant}-MLC`);
    if (!record) continue;
    out.push({
      engine: 'webllm',
      id: record.model_id,
      label: family.label,
      kind: family.kind,
      paramsB: family.paramsB,
      quantization: quant,
      downloadBytes: Math.round((family.paramsB * 1e9 * (BITS_PER_WEIGHT[quant] ?? 5)) / 8),
      downloadIsEstimate: true,
      memoryMB: Math.round(record.vram_required_MB ?? 0),
      model: record.model,
      modelLib: record.model_lib,
      requiredFeatures: record.required_features ?? (quant === 'q4f16_1' ? ['shader-f16'] : []),
      lowResource: record.low_resource_required ?? false,
    });
  }
  for (const e of WEBLLM_EMBEDDERS) {
    const record = byId.get(e.id);
    if (!record) continue;
    out.push({
      engine: 'webllm',
      id: record.model_id,
      label: e.label,
      kind: 'embedding',
      paramsB: e.paramsB,
      quantization: 'q0f32',
      downloadBytes: Math.round(e.paramsB * 1e9 * 4),
      downloadIsEstimate: true,
      memoryMB: Math.round(record.vram_required_MB ?? 0),
      model: record.model,
      modelLib: record.model_lib,
      requiredFeatures: record.required_features ?? [],
      lowResource: true,
    });
  }
  return out;
}

/** web-llm's small embedding models (unquantized f32, batch 4), for GPO's relevance retrieval. */
const WEBLLM_EMBEDDERS = [
  {
    id: 'snowflake-arctic-embed-s-q0f32-MLC-b4',
    label: 'Snowflake Arctic Embed S (embeddings for GPO)',
    paramsB: 0.033,
  },
] as const;

const gguf = (
  id: string,
  label: string,
  kind: CatalogueEntry['kind'],
  paramsB: number,
  quantization: string,
  url: string,
  bytes: number,
): CatalogueEntry => ({
  engine: 'wllama',
  id,
  label,
  kind,
  paramsB,
  quantization,
  downloadBytes: bytes,
  downloadIsEstimate: true,
  // Weights are read into wasm memory whole; a 2048-token context adds tens of MB for these sizes.
  memoryMB: Math.round(bytes / (1024 * 1024) + 64 + paramsB * 40),
  model: url,
  requiredFeatures: [],
  lowResource: bytes < 600e6,
});

/**
 * Public GGUF builds small enough for wllama (a file must stay under 2 GB, wllama's ArrayBuffer
 * limit), from the publishers' own Hugging Face repositories. Sizes are as published, rounded.
 */
export const WLLAMA_CATALOGUE: readonly CatalogueEntry[] = [
  gguf(
    'qwen2.5-coder-0.5b-instruct-q8_0.gguf',
    'Qwen2.5 Coder 0.5B Instruct (Q8_0)',
    'code',
    0.49,
    'Q8_0',
    'https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q8_0.gguf',
    531e6,
  ),
  gguf(
    'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    'Qwen2.5 Coder 1.5B Instruct (Q4_K_M)',
    'code',
    1.54,
    'Q4_K_M',
    'https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    1.12e9,
  ),
  gguf(
    'smollm2-360m-instruct-q8_0.gguf',
    'SmolLM2 360M Instruct (Q8_0)',
    'chat',
    0.36,
    'Q8_0',
    'https://huggingface.co/HuggingFaceTB/SmolLM2-360M-Instruct-GGUF/resolve/main/smollm2-360m-instruct-q8_0.gguf',
    386e6,
  ),
  gguf(
    'bge-small-en-v1.5-q8_0.gguf',
    'BGE small en v1.5 (Q8_0, embeddings for GPO)',
    'embedding',
    0.033,
    'Q8_0',
    'https://huggingface.co/CompendiumLabs/bge-small-en-v1.5-gguf/resolve/main/bge-small-en-v1.5-q8_0.gguf',
    36.8e6,
  ),
  gguf(
    'stories260K.gguf',
    'stories260K (a 1 MB test model: writes children’s stories, not code)',
    'test',
    0.00026,
    'F32',
    'https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf',
    1.19e6,
  ),
];
