/**
 * Text measures the methods need: words, word-level edit distance (GPO's edit budget), TF-IDF
 * cosine similarity (GPO's relevance retrieval when no embedding model is loaded), and n-gram
 * helpers. Hand-rolled because each is a few lines and `core` stays dependency-free so it runs
 * unchanged in workers, Node and the browser.
 */

/** Whitespace-separated words, as GPO counts "words changed". Punctuation stays attached. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** Lower-case alphanumeric terms for similarity (punctuation and case ignored). */
export function terms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/**
 * Levenshtein distance over words: the fewest word insertions, deletions and substitutions that
 * turn `a` into `b`. Two rows of dynamic programming, O(|a|·|b|) time, O(|b|) memory.
 */
export function wordEditDistance(
  a: string | readonly string[],
  b: string | readonly string[],
): number {
  const x = typeof a === 'string' ? words(a) : a;
  const y = typeof b === 'string' ? words(b) : b;
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  let cur = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const sub = (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length] as number;
}

/** Sparse vector: term → weight. */
export type SparseVector = Map<string, number>;

/**
 * TF-IDF vectors for a corpus: raw term frequency × smoothed inverse document frequency
 * (ln((1 + n) / (1 + df)) + 1, as scikit-learn's default), so a term in every document still
 * counts a little and similarity between two texts is never undefined.
 */
export function tfidfVectors(docs: readonly string[]): SparseVector[] {
  const tokenized = docs.map(terms);
  const df = new Map<string, number>();
  for (const toks of tokenized) for (const t of new Set(toks)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  return tokenized.map((toks) => {
    const v: SparseVector = new Map();
    for (const t of toks) v.set(t, (v.get(t) ?? 0) + 1);
    for (const [t, tf] of v) v.set(t, tf * (Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1));
    return v;
  });
}

export function sparseCosine(a: SparseVector, b: SparseVector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, w] of a) {
    na += w * w;
    const o = b.get(t);
    if (o !== undefined) dot += w * o;
  }
  for (const w of b.values()) nb += w * w;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function denseCosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length)
    throw new RangeError(`cosine of vectors of lengths ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** TF-IDF cosine similarity of `query` to each of `docs`, the IDF fitted on all of them. */
export function tfidfSimilarities(query: string, docs: readonly string[]): number[] {
  const vectors = tfidfVectors([query, ...docs]);
  const q = vectors[0] as SparseVector;
  return vectors.slice(1).map((v) => sparseCosine(q, v));
}

/** Word n-grams, for overlap measures (duplicates among generated prompts). */
export function wordNgrams(text: string, n: number): string[] {
  const w = terms(text);
  const out: string[] = [];
  for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n).join(' '));
  return out;
}

/**
 * Collapse runs of spaces, trim each line, keep at most one blank line between paragraphs: two
 * prompts that differ only in spacing are one prompt (and share an id and a score).
 */
export function normalizeWhitespace(text: string): string {
  return text
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
