/**
 * Reads what a GGUF file's header says about the model — architecture, name, quantization,
 * context length, chat template — and checks that the file is whole, before anything is stored
 * or loaded. The header is read from a Blob in slices (a File the user picked, a file in the
 * origin-private file system), so a 1 GB model is never held in memory for this.
 *
 * Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (version 2 and 3: u64 counts).
 * A file is whole when its tensor data reaches as far as its last tensor needs (offset + size at
 * the tensor's type's block size); a download or copy cut short fails that check.
 */
import { BadModelFileError } from './errors';

export interface GgufInfo {
  version: number;
  /** `general.architecture`, e.g. `qwen2`, `llama`. */
  architecture: string;
  /** `general.name`, when the file has one. */
  name?: string;
  /** `general.basename` (the family, e.g. `Qwen2.5-Coder`), when the file has one. */
  basename?: string;
  /** `general.size_label`, e.g. `0.5B`. */
  sizeLabel?: string;
  /** From `general.file_type`: `Q4_K_M`, `Q8_0`, `F32`... (undefined when absent). */
  quantization?: string;
  /** `<architecture>.context_length`: the window the model was trained with. */
  contextLength?: number;
  /** True when `tokenizer.chat_template` is present (chat models; base models have none). */
  chatTemplate: boolean;
  tensorCount: number;
  /** Bytes the file must have at least for its tensor data to be whole. */
  neededBytes: number;
}

/**
 * Architectures the bundled llama.cpp (wllama) generates text with. A file naming another is
 * refused before it is copied: it would fail at load time, after the copy.
 */
export const TEXT_ARCHITECTURES: ReadonlySet<string> = new Set([
  'llama', 'llama4', 'qwen', 'qwen2', 'qwen2moe', 'qwen3', 'qwen3moe', 'phi2', 'phi3', 'phimoe',
  'gemma', 'gemma2', 'gemma3', 'starcoder', 'starcoder2', 'gpt2', 'gptj', 'gptneox', 'mpt',
  'falcon', 'falcon-h1', 'stablelm', 'deepseek', 'deepseek2', 'granite', 'granitemoe', 'olmo',
  'olmo2', 'olmoe', 'smollm3', 'internlm2', 'minicpm', 'minicpm3', 'command-r', 'cohere2',
  'exaone', 'exaone4', 'glm4', 'chatglm', 'bloom', 'refact', 'codeshell', 'orion', 'baichuan',
  'xverse', 'mamba', 'mamba2', 'rwkv6', 'jais', 'nemotron', 'arctic', 'dbrx', 'openelm', 'bitnet',
  'ernie4_5', 'seed_oss', 'lfm2', 'plamo', 'plamo2', 'arcee', 'dots1', 'gpt-oss', 'apertus',
]); // prettier-ignore

/** Models llama.cpp loads that do not write text: encoders and vision or audio parts. */
const NOT_TEXT: ReadonlySet<string> = new Set([
  'bert', 'nomic-bert', 'nomic-bert-moe', 'jina-bert-v2', 'jina-bert-v3', 't5encoder', 'clip',
  'wavtokenizer-dec',
]); // prettier-ignore

/** llama.cpp's `llama_ftype` numbers, as the names model files go by. */
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K',
  11: 'Q3_K_S', 12: 'Q3_K_M', 13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S',
  17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS', 21: 'Q2_K_S', 22: 'IQ3_XS',
  23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M', 28: 'IQ2_S', 29: 'IQ2_M',
  30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16', 36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE',
}; // prettier-ignore

/** ggml tensor types: [elements per block, bytes per block]. Unknown types skip the size check. */
const TENSOR_TYPES: Record<number, [number, number]> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34],
  9: [32, 36], 10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210],
  15: [256, 292], 16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18],
  21: [256, 110], 22: [256, 82], 23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8],
  28: [1, 8], 29: [256, 56], 30: [1, 2], 34: [256, 54], 35: [256, 66], 39: [32, 17],
}; // prettier-ignore

const MAGIC = 0x46554747; // "GGUF", little-endian
const CHUNK = 1 << 20;

/** Stops parsing: the file ended where the header said more would follow. */
class CutShort extends Error {}

/** A forward-only little-endian reader over a Blob, pulling it in 1 MB slices. */
class BlobReader {
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private start = 0; // file offset of buf[0]
  private at = 0; // offset within buf
  private readonly decoder = new TextDecoder();

  constructor(private readonly blob: Blob) {}

  get offset(): number {
    return this.start + this.at;
  }

  private async need(n: number): Promise<void> {
    if (this.at + n <= this.buf.length) return;
    const from = this.start + this.at;
    if (from + n > this.blob.size) throw new CutShort();
    const bytes = new Uint8Array(
      await this.blob
        .slice(from, Math.min(this.blob.size, from + Math.max(n, CHUNK)))
        .arrayBuffer(),
    );
    this.buf = bytes;
    this.view = new DataView(bytes.buffer);
    this.start = from;
    this.at = 0;
  }

  async u32(): Promise<number> {
    await this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  async u64(): Promise<number> {
    await this.need(8);
    const v = this.view.getBigUint64(this.at, true);
    this.at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('a count too large to be real');
    return Number(v);
  }

  async bytes(n: number): Promise<Uint8Array> {
    await this.need(n);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  async string(): Promise<string> {
    const n = await this.u64();
    if (n > 64 * CHUNK) throw new RangeError('a string longer than 64 MB');
    return this.decoder.decode(await this.bytes(n));
  }

  async skip(n: number): Promise<void> {
    if (this.at + n <= this.buf.length) {
      this.at += n;
      return;
    }
    const to = this.offset + n;
    if (to > this.blob.size) throw new CutShort();
    this.buf = new Uint8Array(0);
    this.start = to;
    this.at = 0;
  }
}

/** Byte width of GGUF's fixed-size value types; 8 (string) and 9 (array) are variable. */
const SCALAR_BYTES: Record<number, number> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8,
}; // prettier-ignore

async function readValue(r: BlobReader, type: number, keep: boolean): Promise<unknown> {
  if (type === 8) {
    if (keep) return r.string();
    await r.skip(await r.u64());
    return undefined;
  }
  if (type === 9) {
    const itemType = await r.u32();
    const count = await r.u64();
    const width = SCALAR_BYTES[itemType];
    if (width !== undefined) await r.skip(width * count);
    else for (let i = 0; i < count; i++) await readValue(r, itemType, false);
    return undefined;
  }
  const width = SCALAR_BYTES[type];
  if (width === undefined) throw new RangeError(`an unknown value type ${type}`);
  if (!keep) {
    await r.skip(width);
    return undefined;
  }
  const b = await r.bytes(width);
  const v = new DataView(b.buffer, b.byteOffset, width);
  switch (type) {
    case 0:
    case 7:
      return v.getUint8(0);
    case 1:
      return v.getInt8(0);
    case 2:
      return v.getUint16(0, true);
    case 3:
      return v.getInt16(0, true);
    case 4:
      return v.getUint32(0, true);
    case 5:
      return v.getInt32(0, true);
    case 6:
      return v.getFloat32(0, true);
    case 12:
      return v.getFloat64(0, true);
    default:
      return Number(type === 10 ? v.getBigUint64(0, true) : v.getBigInt64(0, true));
  }
}

/** The keys kept; every other value is skipped without decoding. */
const wanted = (key: string): boolean =>
  key.startsWith('general.') || key.endsWith('.context_length');

/**
 * Parses the header and checks the file is whole. Throws BadModelFileError, in words, for a file
 * that is not GGUF, is cut short, or is malformed.
 */
export async function readGgufHeader(blob: Blob, source: string): Promise<GgufInfo> {
  const r = new BlobReader(blob);
  const cut = (): BadModelFileError =>
    new BadModelFileError(
      source,
      `the file is cut short (${blob.size.toLocaleString('en')} bytes): it ends inside its header, so the download or copy stopped early`,
    );
  try {
    if (blob.size < 4 || (await r.u32()) !== MAGIC)
      throw new BadModelFileError(
        source,
        'it does not begin with the GGUF signature, so it is not a GGUF model file',
      );
    const version = await r.u32();
    if (version !== 2 && version !== 3)
      throw new BadModelFileError(
        source,
        `it is GGUF version ${version}; Athanor reads versions 2 and 3`,
      );
    const tensorCount = await r.u64();
    const kvCount = await r.u64();
    const kv = new Map<string, unknown>();
    let chatTemplate = false;
    for (let i = 0; i < kvCount; i++) {
      const key = await r.string();
      const type = await r.u32();
      if (key === 'tokenizer.chat_template') chatTemplate = true;
      const value = await readValue(r, type, wanted(key));
      if (value !== undefined) kv.set(key, value);
    }
    let end = 0; // tensor data bytes needed, from the start of the data section
    for (let i = 0; i < tensorCount; i++) {
      await r.skip(await r.u64()); // name
      const dims = await r.u32();
      let elements = 1;
      for (let d = 0; d < dims; d++) elements *= await r.u64();
      const type = await r.u32();
      const offset = await r.u64();
      const block = TENSOR_TYPES[type];
      const size = block ? Math.ceil(elements / block[0]) * block[1] : 1;
      end = Math.max(end, offset + size);
    }
    const alignment = Number(kv.get('general.alignment') ?? 32) || 32;
    const dataStart = Math.ceil(r.offset / alignment) * alignment;
    const neededBytes = tensorCount === 0 ? r.offset : dataStart + end;
    if (blob.size < neededBytes) {
      throw new BadModelFileError(
        source,
        `the file is cut short: its tensors need ${neededBytes.toLocaleString('en')} bytes and it has ${blob.size.toLocaleString('en')}, so the download or copy stopped early`,
      );
    }
    const architecture = String(kv.get('general.architecture') ?? '');
    const str = (k: string): string | undefined =>
      typeof kv.get(k) === 'string' && kv.get(k) !== '' ? (kv.get(k) as string) : undefined;
    const fileType = kv.get('general.file_type');
    const ctx = kv.get(`${architecture}.context_length`);
    return {
      version,
      architecture,
      name: str('general.name'),
      basename: str('general.basename'),
      sizeLabel: str('general.size_label'),
      quantization:
        typeof fileType === 'number' ? (FILE_TYPES[fileType] ?? `type ${fileType}`) : undefined,
      contextLength: typeof ctx === 'number' ? ctx : undefined,
      chatTemplate,
      tensorCount,
      neededBytes,
    };
  } catch (err) {
    if (err instanceof BadModelFileError) throw err;
    if (err instanceof CutShort) throw cut();
    throw new BadModelFileError(
      source,
      `its header is malformed (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/**
 * Throws, in words, unless the header names an architecture the bundled llama.cpp writes text
 * with.
 */
export function checkTextModel(info: GgufInfo, source: string): void {
  const arch = info.architecture;
  if (!arch) throw new BadModelFileError(source, 'its header names no architecture');
  if (NOT_TEXT.has(arch))
    throw new BadModelFileError(
      source,
      `its architecture "${arch}" is an encoder or a vision/audio part, not a model that writes text`,
    );
  if (!TEXT_ARCHITECTURES.has(arch))
    throw new BadModelFileError(
      source,
      `its architecture "${arch}" is not one the bundled llama.cpp (wllama) can run`,
    );
}
