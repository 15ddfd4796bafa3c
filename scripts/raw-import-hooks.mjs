/**
 * The module hooks of scripts/raw-import.mjs: a `file:` URL with a `raw` query (`x.py?raw`; tsx
 * may add a query of its own) is its file's text.
 */
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.searchParams.has('raw')) {
    u.search = '';
    return {
      format: 'module',
      source: `export default ${JSON.stringify(await readFile(u, 'utf8'))};`,
      shortCircuit: true,
    };
  }
  return nextLoad(url, context);
}
