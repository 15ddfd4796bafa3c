/**
 * The context guard over wllama with the real tiny model loaded with a small window, for
 * test/e2e/context-window.test.ts. The page only exposes the parts; the test asserts.
 */
import { ContextGuard, ContextOverflowError } from '../../../src/core/context-window';
import type { CompletionRequest } from '../../../src/core/types';
import { WllamaEngine } from '../../../src/engines/wllama';

const engine = await WllamaEngine.fromUrl('/__shared/models/stories260K.gguf', {
  contextSize: 128,
});
const guard = new ContextGuard(engine);

const request = (content: string, max_tokens: number): CompletionRequest => ({
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0, max_tokens },
  purpose: 'generate',
});

async function send(content: string, maxTokens: number) {
  try {
    const c = await guard.complete(request(content, maxTokens));
    return { ok: true as const, usage: c.usage, text: c.text };
  } catch (e) {
    const err = e as Error;
    return {
      ok: false as const,
      name: err.name,
      message: err.message,
      overflow: e instanceof ContextOverflowError ? { window: e.window, size: e.size } : null,
    };
  }
}

declare global {
  interface Window {
    contextPage: {
      window: number | undefined;
      send: typeof send;
      estimate: (content: string) => number;
    };
  }
}

window.contextPage = {
  window: engine.contextWindow,
  send,
  estimate: (content) => guard.estimate(request(content, 1).messages),
};
document.getElementById('status')!.textContent = 'ready';
