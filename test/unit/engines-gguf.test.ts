/**
 * The GGUF header reader (src/engines/gguf.ts) on the real stories260K file and on headers made
 * here: what it reads, and the words it refuses a bad file with.
 */
import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkTextModel, readGgufHeader } from '../../src/engines/gguf';
import { requireShared } from '../support/paths';

const u32 = (n: number): Buffer => Buffer.from(new Uint32Array([n]).buffer);
const u64 = (n: number): Buffer => Buffer.from(new BigUint64Array([BigInt(n)]).buffer);
const str = (s: string): Buffer => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);

/** A GGUF v3 file: string and u32 keys, one F32 tensor of `elements`, `data` bytes of data. */
function gguf(kv: Record<string, string | number>, elements: number, data: number): Blob {
  const parts = [Buffer.from('GGUF'), u32(3), u64(1), u64(Object.keys(kv).length)];
  for (const [k, v] of Object.entries(kv))
    parts.push(str(k), ...(typeof v === 'string' ? [u32(8), str(v)] : [u32(4), u32(v)]));
  parts.push(str('t'), u32(1), u64(elements), u32(0), u64(0));
  const head = Buffer.concat(parts);
  const pad = (32 - (head.length % 32)) % 32;
  return new Blob([head, Buffer.alloc(pad + data)]);
}

describe('readGgufHeader', () => {
  it('reads the real stories260K header and finds the file whole', async () => {
    const blob = await openAsBlob(requireShared('models', 'stories260K.gguf'));
    const info = await readGgufHeader(blob, 'stories260K.gguf');
    expect(info).toMatchObject({
      version: 3,
      architecture: 'llama',
      contextLength: 2048,
      chatTemplate: false,
      tensorCount: 48,
      neededBytes: blob.size,
    });
    expect(() => checkTextModel(info, 'stories260K.gguf')).not.toThrow();
  });

  it('names the quantization, the context and the chat template', async () => {
    const blob = gguf(
      {
        'general.architecture': 'qwen2',
        'general.name': 'Tiny',
        'general.file_type': 15,
        'qwen2.context_length': 32768,
        'tokenizer.chat_template': '{{ messages }}',
      },
      8,
      32,
    );
    expect(await readGgufHeader(blob, 'x.gguf')).toMatchObject({
      architecture: 'qwen2',
      name: 'Tiny',
      quantization: 'Q4_K_M',
      contextLength: 32768,
      chatTemplate: true,
    });
  });

  it('refuses a file cut inside its tensor data, in words', async () => {
    const blob = gguf({ 'general.architecture': 'llama' }, 1000, 3999);
    await expect(readGgufHeader(blob, 'x.gguf')).rejects.toThrow(
      /x\.gguf is not a usable GGUF model \(the file is cut short: its tensors need [\d,]+ bytes and it has [\d,]+/,
    );
  });

  it('refuses a file cut inside its header, and one that is not GGUF', async () => {
    const whole = gguf({ 'general.architecture': 'llama' }, 8, 32);
    await expect(readGgufHeader(whole.slice(0, 30), 'x.gguf')).rejects.toThrow(
      /cut short \(30 bytes\): it ends inside its header/,
    );
    await expect(readGgufHeader(new Blob(['{"not": "gguf"}']), 'x.gguf')).rejects.toThrow(
      /does not begin with the GGUF signature/,
    );
  });

  it('refuses architectures that do not write text or that llama.cpp does not know', async () => {
    for (const [arch, words] of [
      ['bert', /"bert" is an encoder or a vision\/audio part/],
      ['made-up', /"made-up" is not one the bundled llama\.cpp \(wllama\) can run/],
    ] as const) {
      const info = await readGgufHeader(gguf({ 'general.architecture': arch }, 8, 32), 'x.gguf');
      expect(() => checkTextModel(info, 'x.gguf')).toThrow(words);
    }
  });
});
