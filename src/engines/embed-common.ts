/**
 * What every EmbedPort does the same way: vectors come back in input order (OpenAI-style answers
 * carry an `index` and need not be sorted), base64 floats are decoded, and an answer that does not
 * fit the question is a named error rather than a silent misalignment.
 */
import { EngineError } from './errors';

export interface EmbeddingItem {
  index: number;
  embedding: number[] | string;
}

/** Decodes OpenAI's `encoding_format: "base64"` (little-endian float32). */
export function decodeBase64Floats(b64: string): number[] {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return [...new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4))];
}

/** The vectors of `data` in input order; a wrong count, a gap or a ragged length is an error. */
export function orderedVectors(
  data: readonly EmbeddingItem[],
  n: number,
  source: string,
): number[][] {
  const out = new Array<number[] | undefined>(n).fill(undefined);
  for (const d of data) {
    if (!Number.isInteger(d.index) || d.index < 0 || d.index >= n) {
      throw new EngineError(
        'bad-model-file',
        `${source} answered an embedding for input ${d.index}, but ${n} texts were sent.`,
        'Check that the model is an embedding model.',
      );
    }
    out[d.index] = typeof d.embedding === 'string' ? decodeBase64Floats(d.embedding) : d.embedding;
  }
  const missing = out.findIndex((v) => v === undefined);
  if (missing >= 0) {
    throw new EngineError(
      'bad-model-file',
      `${source} returned no embedding for input ${missing} of ${n}.`,
      'Check that the model is an embedding model.',
    );
  }
  const vectors = out as number[][];
  const dim = vectors[0]?.length ?? 0;
  if (dim === 0 || vectors.some((v) => v.length !== dim)) {
    throw new EngineError(
      'bad-model-file',
      `${source} returned embeddings of different or zero lengths.`,
      'Check that the model is an embedding model.',
    );
  }
  return vectors;
}
