/**
 * Lets Node import a file as text with `?raw`, as Vite does: `import text from './x.py?raw'`.
 * The Python half of the executor (src/executor/python-sources.ts) is imported that way. Loaded
 * with `node --import ./scripts/raw-import.mjs` (the benches that import the executor's engine),
 * and by the Node pool's worker threads before they load their entry (src/executor/node.ts).
 */
import { register } from 'node:module';

register('./raw-import-hooks.mjs', import.meta.url);
