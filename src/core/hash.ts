/**
 * Content hashes for cache keys and prompt ids. SHA-256 through WebCrypto, which Node (>= 20) and
 * every browser expose as `globalThis.crypto.subtle`, so `core` needs no dependency.
 */

/**
 * JSON with object keys sorted at every depth, so that two equal values always hash the same no
 * matter the order their keys were written in. `undefined` members are dropped, as JSON does.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** Hex SHA-256 of a string (UTF-8). */
export async function sha256(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return hex(digest);
}

/** Hex SHA-256 of a value's stable JSON form. */
export function hashValue(value: unknown): Promise<string> {
  return sha256(stableStringify(value));
}
